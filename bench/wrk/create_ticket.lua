-- wrk script: POST /api/v1/tickets as an agent, for one of the seeded customers.
-- bench/run.py sets HW_TOKEN (the agent's API token) and HW_CUSTOMERS (how many customers exist).
local token = os.getenv("HW_TOKEN")
local customers = tonumber(os.getenv("HW_CUSTOMERS") or "1000")
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
-- HW_PREFER=respond-async asks for 202 Accepted: the worker opens the ticket.
local prefer = os.getenv("HW_PREFER") or ""
if prefer ~= "" then
  wrk.headers["Prefer"] = prefer
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"customer_email":"customer%d@example.com","subject":"Invoice shows the wrong amount (%d)",' ..
    '"body":"Hello,\\n\\nthe invoice for March shows the wrong amount. Could you check it?\\n\\nThanks"}',
    math.random(1, customers), counter)
  return wrk.format(nil, nil, nil, body)
end
