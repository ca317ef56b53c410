local aws = require("aws")

-- What falls short of the baseline. Parameters left out of
-- UpdateAccountPasswordPolicy take AWS's defaults (8 characters, reuse
-- allowed), so a missing value is judged as that default.
local function shortfalls(event)
  if event.eventName == "DeleteAccountPasswordPolicy" then
    return { "policy deleted (AWS default: 8 characters, reuse allowed)" }
  end
  local base = aws.password_policy_baseline
  local rp = event.requestParameters
  local out = {}
  local length = (rp and tonumber(rp.minimumPasswordLength)) or 8
  if length < base.minimum_length then
    table.insert(out, string.format("minimum length %d < %d", length, base.minimum_length))
  end
  local reuse = (rp and tonumber(rp.passwordReusePrevention)) or 0
  if reuse < base.reuse_prevention then
    table.insert(out, string.format("reuse prevention %d < %d", reuse, base.reuse_prevention))
  end
  return out
end

function rule(event)
  if event.eventSource ~= "iam.amazonaws.com" or aws.failed(event) then
    return false
  end
  if event.eventName ~= "UpdateAccountPasswordPolicy" and event.eventName ~= "DeleteAccountPasswordPolicy" then
    return false
  end
  return #shortfalls(event) > 0
end

function title(event)
  return string.format("Account password policy of %s below baseline after %s by %s: %s",
    aws.account(event), event.eventName, aws.actor(event), table.concat(shortfalls(event), "; "))
end

function dedup(event)
  return aws.account(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    account = aws.account(event),
    action = event.eventName,
    shortfalls = table.concat(shortfalls(event), "; "),
    minimum_length = event:get("requestParameters", "minimumPasswordLength"),
    reuse_prevention = event:get("requestParameters", "passwordReusePrevention"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
