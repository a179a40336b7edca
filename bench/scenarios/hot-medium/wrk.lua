-- hot-medium: every request is a hit on one 16 KiB object.
wrk.method = "GET"
wrk.path = "/16k.html"
