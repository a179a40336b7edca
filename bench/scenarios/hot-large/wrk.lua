-- hot-large: every request is a hit on one 128 KiB object.
wrk.method = "GET"
wrk.path = "/128k.html"
