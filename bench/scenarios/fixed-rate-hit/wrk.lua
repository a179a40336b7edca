-- fixed-rate-hit: the capacity run (wrk, saturating); the fixed-rate runs use
-- bench/tools/openloop.c on the same path (scenario.json).
wrk.method = "GET"
wrk.path = "/1k.html"
