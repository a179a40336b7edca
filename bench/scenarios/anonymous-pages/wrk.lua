-- anonymous-pages: the seed case on the Flask demo. bench/run logs alice in without "remember me"
-- (Flask session cookie only) and bob with it (session + remember_token). See visitor_mix.lua.
request = visitor_mix({"/", "/about", "/project/larder", "/project/wrk", "/static/style.css"},
                      {"/", "/about", "/profile"})
