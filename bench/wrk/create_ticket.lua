-- wrk script: POST /api/v1/tickets as an agent, for one of the seeded customers.
-- bench/run.py sets HW_TOKEN (the agent's API token) and HW_CUSTOMERS (how many customers exist).
-- HW_PREFER=respond-async asks for 202 Accepted: the worker opens the ticket.
--
-- The requests are built once, up front, and sent in turn: wrk shares the two cores with the server it
-- measures, and formatting a body per request would cost the load generator more for this case than
-- for the plain GET it is compared with.
local token = os.getenv("HW_TOKEN")
local customers = tonumber(os.getenv("HW_CUSTOMERS") or "1000")
local prefer = os.getenv("HW_PREFER") or ""
local prepared = {}
local count = 2000
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
if prefer ~= "" then
  wrk.headers["Prefer"] = prefer
end

function init(args)
  for i = 1, count do
    local body = string.format(
      '{"customer_email":"customer%d@example.com","subject":"Invoice shows the wrong amount (%d)",' ..
      '"body":"Hello,\\n\\nthe invoice for March shows the wrong amount. Could you check it?\\n\\nThanks"}',
      math.random(1, customers), i)
    prepared[i] = wrk.format(nil, nil, nil, body)
  end
end

function request()
  counter = counter + 1
  return prepared[(counter % count) + 1]
end
