-- django-pages: the seed case on the Django demo; the logged-in user's sessionid cookie comes
-- from the app's /login through bench/run. See visitor_mix.lua.
request = visitor_mix({"/", "/about", "/project/larder", "/project/wrk"}, {"/", "/about", "/profile"})
