-- expiry-storm: every client asks for the same page (/storm), cached for 1 s.
wrk.method = "GET"
wrk.path = "/storm"
