-- wrk's script for the request-rate cases (bench/clients.ts runs it): rotates over a list of
-- requests, each with its own path (query included, for presigned URLs) and headers, and sends a
-- body of N bytes with every PUT. Every request is formatted once, in init, so that the client's
-- per-request cost is a table lookup: the point of wrk here is that it is never the bottleneck.
-- Usage: wrk -t1 -cC -dDs -s wrk-job.lua ORIGIN -- JOB_FILE BODY_BYTES
-- The job file has one request a line: METHOD, PATH, then `name: value` headers, tab-separated.
-- Prints `WRK-RESULT {json}` at the end: requests, durationUs, p50/p99 (ms), non2xx (status ≥ 400,
-- which wrk counts) and errors (connect, read, write, timeout).

local requests = {}
local count = 0
local next = 0

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do
    fields[#fields + 1] = field
  end
  return fields
end

-- A deterministic, non-repeating-looking body: content does not matter to any server measured.
local function makeBody(n)
  local parts = {}
  for i = 1, n do
    parts[i] = string.char((i * 31) % 251)
  end
  return table.concat(parts)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local bytes = tonumber(args[2]) or 0
  local body = bytes > 0 and makeBody(bytes) or nil
  for line in file:lines() do
    local fields = split(line)
    local headers = { Host = wrk.headers["Host"] }
    for i = 3, #fields do
      local name, value = string.match(fields[i], "^([^:]+): (.*)$")
      headers[name] = value
    end
    if body then
      headers["Content-Type"] = "application/octet-stream"
    end
    count = count + 1
    requests[count] = wrk.format(fields[1], fields[2], headers, body)
  end
  file:close()
  assert(count > 0, "the job file lists no request")
end

function request()
  next = next % count + 1
  return requests[next]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests":%d,"durationUs":%d,"p50":%.3f,"p99":%.3f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
