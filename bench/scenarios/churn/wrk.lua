-- churn: keys /churn/1 .. /churn/1000000 drawn from a Zipf distribution with s = 1, by the
-- continuous inverse CDF k = floor((N + 1)^u), u uniform in [0, 1): P(k) ~ 1 / (k ln N).
-- bench/lib/report.py draws the same way to simulate an ideal LRU of the same capacity.
local N = 1000000
local logN1 = math.log(N + 1)
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("thread_seed", counter)
end

init = function(args)
  math.randomseed(os.time() * 100 + (thread_seed or 0))
end

request = function()
  local k = math.floor(math.exp(math.random() * logN1))
  if k > N then k = N end
  if k < 1 then k = 1 end
  return wrk.format("GET", "/churn/" .. k)
end
