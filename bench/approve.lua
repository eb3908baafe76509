-- wrk script: approvals on one grant, each of a distinct requested service
-- (POST /api/v1/services/{id}/approve with If-Match "1", the version a request is created at,
-- approving the $BENCH_AMOUNT tetri each was requested for).
-- Run with as many threads as connections (-tN -cN): thread i approves the services on lines
-- i, i + N, i + 2N, … of $BENCH_SERVICES. $BENCH_TOKEN: an NGO manager's token who did not
-- request them (R12). Counts approvals (200), grant_exceeded refusals (409, R10) and anything
-- else; a thread that runs out of services sends GET /health/live, counted as spare.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local token = os.getenv("BENCH_TOKEN")
local body = '{"approved_amount_tetri":' .. os.getenv("BENCH_AMOUNT") .. '}'
-- Globals, so that done() can read them from each thread.
approved, exceeded, failed, spare, first_failure = 0, 0, 0, 0, ""
local mine, next_index, sent_spare = {}, 1, false

function init(args)
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_SERVICES")) do
    if line ~= "" then
      if line_number % counter_total() == thread_number then
        table.insert(mine, line)
      end
      line_number = line_number + 1
    end
  end
end

-- How many threads there are: wrk's -t, passed on as $BENCH_THREADS.
function counter_total()
  return tonumber(os.getenv("BENCH_THREADS"))
end

function request()
  local id = mine[next_index]
  if id == nil then
    sent_spare = true
    return wrk.format("GET", "/health/live")
  end
  next_index = next_index + 1
  sent_spare = false
  return wrk.format("POST", "/api/v1/services/" .. id .. "/approve", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["If-Match"] = '"1"',
  }, body)
end

function response(status, headers, body)
  if sent_spare then
    spare = spare + 1
  elseif status == 200 then
    approved = approved + 1
  elseif status == 409 and string.find(body, "grant_exceeded", 1, true) then
    exceeded = exceeded + 1
  else
    failed = failed + 1
    if first_failure == "" then
      first_failure = status .. " " .. string.sub(body, 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local totals = { approved = 0, exceeded = 0, failed = 0, spare = 0 }
  local failure = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    if failure == "" then
      failure = thread:get("first_failure")
    end
  end
  io.write(string.format("approvals %d grant_exceeded %d failures %d spare %d seconds %.3f\n", totals.approved,
    totals.exceeded, totals.failed, totals.spare, summary.duration / 1e6))
  if failure ~= "" then
    io.write("first failure: " .. failure .. "\n")
  end
end
