-- hot-small: every request is a hit on one 1 KiB object.
wrk.method = "GET"
wrk.path = "/1k.html"
