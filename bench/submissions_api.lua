-- POST one whole response per request to the submissions API, each with a new
-- Idempotency-Key. init(args): the partner API key, then the JSON body file.
dofile("bench/submissions_report.lua")

local counter = 0
local body, key

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function init(args)
  key = args[1]
  local file = assert(io.open(args[2], "r"))
  body = file:read("*a")
  file:close()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/submissions/", {
    ["Authorization"] = "Token " .. key,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = uuid4(),
  }, body)
end

function done(summary, latency, requests)
  report(summary, latency)
end
