-- wrk script: rotates through request paths read from a file, sends a bearer token, prints a
-- JSON line of throughput and latency percentiles when done.
-- Environment: BENCH_PATHS (file, one "METHOD PATH [JSON BODY]" per line), BENCH_TOKEN.
local paths = {}
local token = os.getenv("BENCH_TOKEN")
for line in io.lines(os.getenv("BENCH_PATHS")) do
  local method, path, body = line:match("^(%S+)%s+(%S+)%s*(.*)$")
  table.insert(paths, {method = method, path = path, body = body})
end
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  index = offset or 0
  server_errors, conflicts, client_errors = 0, 0, 0
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1
  elseif status == 409 then conflicts = conflicts + 1
  elseif status >= 400 then client_errors = client_errors + 1 end
end

function request()
  index = index + 1
  local item = paths[(index % #paths) + 1]
  local headers = {["Content-Type"] = "application/json"}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local body = nil
  if item.body and item.body ~= "" then body = item.body end
  return wrk.format(item.method, item.path, headers, body)
end

function done(summary, latency, requests)
  -- errors: server errors (5xx), other refusals (4xx but 409) and socket errors; conflicts
  -- (409: two connections acting on one case at once) are counted apart: they are the
  -- optimistic lock working, not a failure.
  local s, c, k = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("server_errors"); c = c + t:get("conflicts"); k = k + t:get("client_errors")
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "conflicts": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f}\n',
    summary.requests, summary.duration / 1e6, s + k + socket, c,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
