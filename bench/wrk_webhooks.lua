-- wrk script for bench/ingest.py: replays pre-generated requests and prints a JSON summary.
--
--   wrk -t T -c C -d 10s -s bench/wrk_webhooks.lua URL [-- REQUESTS_FILE T]
--
-- Without arguments every request is a plain GET of URL (the /livez and /healthz ceilings).
-- REQUESTS_FILE holds one signed webhook a line: "<X-Hub-Signature-256 value>\t<JSON body>".
-- Thread i takes lines i, i+T, i+2T, ... so two threads never send the same body; a thread
-- that runs out of lines starts again from its first (the server drops the re-delivery).

local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

local requests = {}
local position = 0

local function signed_post(line)
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
  }, line:sub(tab + 1))
end

function init(args)
  local path, threads = args[1], tonumber(args[2] or "1")
  if path == nil then
    requests[1] = wrk.format()
    return
  end
  local index = 0
  for line in io.lines(path) do
    if index % threads == thread_index then
      requests[#requests + 1] = signed_post(line)
    end
    index = index + 1
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "latency_us": '
      .. '{"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean
  ))
end
