local M = {}

-- user is the name of whoever acted in a CloudTrail event.
function M.user(event)
  return event:get("userIdentity", "userName")
    or event:get("userIdentity", "arn")
    or "unknown"
end

return M
