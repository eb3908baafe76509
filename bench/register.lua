-- wrk script: registrations as an NGO's system makes them, each in three requests with an
-- Idempotency-Key: POST /api/v1/arrivals, POST /api/v1/persons, POST /api/v1/cases.
-- Run with as many threads as connections (-tN -cN): each thread walks its own sequence.
-- $BENCH_TOKEN: an NGO caseworker's token; $BENCH_RUN: 0-99, distinct per run on one database.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local token = os.getenv("BENCH_TOKEN")
local run = tonumber(os.getenv("BENCH_RUN") or "0")
-- Globals, so that done() can read them from each thread.
step, registered, failed, n = 0, 0, 0, 0
local number, arrival_id, person_id

local function post(path, body, key)
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end

function request()
  if step == 0 then
    -- 8 · 10^10 + run · 10^8 + thread · 10^6 + n: unique per run, thread and registration.
    number = string.format("%011d", 80000000000 + run * 100000000 + thread_number * 1000000 + n)
    n = n + 1
    return post("/api/v1/arrivals", '{"personal_number":"' .. number .. '","arrival_date":"2017-03-01",'
      .. '"point_of_arrival":"tbilisi_airport","countries":["IT"],'
      .. '"irregular_periods":[{"start":"2015-01-10","end":"2017-03-01"}],"asylum_applied":false,'
      .. '"asylum_held":false,"needs":{"shelter":true,"medical":false,"other":null}}', "a-" .. number)
  elseif step == 1 then
    return post("/api/v1/persons", '{"legal_status":"citizen","personal_number":"' .. number .. '",'
      .. '"first_name_ka":"ნინო","last_name_ka":"ბერიძე","first_name_lat":"Nino","last_name_lat":"Beridze",'
      .. '"date_of_birth":"1985-04-12","sex":"female","phone":"555 12 34 56","residence_region":"GE-KK",'
      .. '"residence_locality":"Rustavi","consent":{"date":"2017-03-02","scope":"program_services"}}', "p-" .. number)
  else
    return post("/api/v1/cases", '{"person_id":"' .. person_id .. '","arrival_id":"' .. arrival_id
      .. '","registration_date":"2017-05-10"}', "c-" .. number)
  end
end

function response(status, headers, body)
  if status ~= 201 then
    failed = failed + 1
    step = 0
    return
  end
  local id = string.match(body, '"id":"([^"]+)"')
  if step == 0 then
    arrival_id, step = id, 1
  elseif step == 1 then
    person_id, step = id, 2
  else
    registered, step = registered + 1, 0
  end
end

function done(summary, latency, requests)
  local registrations, failures = 0, 0
  for _, thread in ipairs(threads) do
    registrations = registrations + thread:get("registered")
    failures = failures + thread:get("failed")
  end
  io.write(string.format("registrations %d failures %d seconds %.3f\n", registrations, failures,
    summary.duration / 1e6))
end
