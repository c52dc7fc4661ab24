-- Requests spread over many school hosts and pages (bench/spread.py writes the list, one "host path" per line).
local targets = {}
for line in io.lines(os.getenv("SPREAD_TARGETS")) do
  local host, path = line:match("^(%S+) (%S+)$")
  targets[#targets + 1] = wrk.format("GET", path, { Host = host })
end
local i = math.random(#targets)
request = function()
  i = i % #targets + 1
  return targets[i]
end
