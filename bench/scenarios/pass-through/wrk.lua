-- pass-through: every request goes to the origin (no rule matches, and it says no-store).
wrk.method = "GET"
wrk.path = "/pass/1k.html"
