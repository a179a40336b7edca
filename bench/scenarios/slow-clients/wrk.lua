-- slow-clients: the fast clients; bench/tools/slow_reader.py runs the slow ones alongside.
wrk.method = "GET"
wrk.path = "/1k.html"
