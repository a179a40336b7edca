-- compressed-page: every request is a hit on one 40 KiB HTML page, asked for with the
-- Accept-Encoding of the variant (BENCH_ACCEPT_ENCODING: a browser's, or gzip alone).
wrk.method = "GET"
wrk.path = "/40k.html"
wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING") or "gzip, deflate, br"
