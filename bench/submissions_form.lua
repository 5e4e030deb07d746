-- The form's final POST ("Send my response"), each request on a different prepared draft.
-- init(args): the file of private paths (one per line), the CSRF secret.
dofile("bench/submissions_report.lua")

local paths, secret = {}, nil
local index, step = 0, 1
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    table.insert(paths, line)
  end
  secret = args[2]
  index = offset or 0
  step = tonumber(args[3]) or 1
end

function request()
  index = index + step
  local path = paths[(index % #paths) + 1]
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. secret,
  }, "csrfmiddlewaretoken=" .. secret .. "&idempotency_key=00000000-0000-4000-8000-000000000000")
end

function done(summary, latency, requests)
  report(summary, latency)
end
