-- Helpers shared by the AWS detections. require("aws") returns this table.
local M = {}

-- actor returns a readable name for the principal of a CloudTrail event:
-- the user name, the role session ("role/session"), "root", or the ARN.
function M.actor(event)
  local id = event.userIdentity
  if id == nil then
    return "unknown"
  end
  local t = id.type
  if t == "Root" then
    return "root"
  end
  if t == "IAMUser" and id.userName then
    return id.userName
  end
  if t == "AssumedRole" then
    local issuer = event:get("userIdentity", "sessionContext", "sessionIssuer", "userName")
    local arn = id.arn or ""
    local session = arn:match("/([^/]+)$")
    if issuer and session then
      return issuer .. "/" .. session
    end
  end
  if t == "AWSService" then
    return id.invokedBy or "aws-service"
  end
  return id.arn or id.principalId or "unknown"
end

-- failed reports whether the API call was refused or errored.
function M.failed(event)
  return event.errorCode ~= nil and event.errorCode ~= ""
end

-- by_aws_service reports calls that AWS made on the account's behalf.
function M.by_aws_service(event)
  local id = event.userIdentity
  return id ~= nil and (id.type == "AWSService" or id.invokedBy ~= nil)
end

-- account is the account the event happened in.
function M.account(event)
  return event.recipientAccountId or event:get("userIdentity", "accountId") or "unknown"
end

return M
