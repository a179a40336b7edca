-- slow-endpoint: every client asks for the same page (/slow), cached for 10 s.
wrk.method = "GET"
wrk.path = "/slow"
