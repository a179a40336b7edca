-- keepalive-5000: the active clients (wrk); bench/tools/idle_clients.py holds the idle ones.
wrk.method = "GET"
wrk.path = "/1k.html"
