-- visitor_mix(anon_paths, user_paths): the request function of the seed-case scenarios.
-- 9 requests in 10 come from anonymous visitors (a third of them carry analytics cookies, which
-- must neither split nor bypass the cache), 1 in 10 from a logged-in user. The logged-in cookies
-- come from bench/run in BENCH_USER_COOKIES, one user per line. bench/run puts this file in
-- front of every scenario's script.
function visitor_mix(anon_paths, user_paths)
  local analytics = "_ga=GA1.2.1234567.1700000000; _gid=GA1.2.7654321.1700000000"
  local users = {}
  for c in string.gmatch(os.getenv("BENCH_USER_COOKIES") or "", "[^\n]+") do
    users[#users + 1] = c
  end
  local n = 0
  return function()
    n = n + 1
    if n % 10 == 0 and #users > 0 then
      local k = math.floor(n / 10)
      return wrk.format("GET", user_paths[(k % #user_paths) + 1],
                        {["Cookie"] = users[(k % #users) + 1]})
    end
    local path = anon_paths[(n % #anon_paths) + 1]
    if n % 3 == 0 then
      return wrk.format("GET", path, {["Cookie"] = analytics})
    end
    return wrk.format("GET", path)
  end
end
