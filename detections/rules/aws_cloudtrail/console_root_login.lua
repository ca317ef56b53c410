local aws = require("aws")

function rule(event)
  return event.eventName == "ConsoleLogin"
    and event.eventSource == "signin.amazonaws.com"
    and event:get("userIdentity", "type") == "Root"
    and event:get("responseElements", "ConsoleLogin") == "Success"
end

local function mfa(event)
  return event:get("additionalEventData", "MFAUsed") or "unknown"
end

function title(event)
  return string.format("Root user signed in to the console of %s from %s (MFA: %s)",
    aws.account(event), event.sourceIPAddress or "?", mfa(event))
end

function dedup(event)
  return aws.account(event)
end

-- Root without MFA: one stolen password away from owning the account.
function severity(event)
  if mfa(event) ~= "Yes" then
    return "Critical"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    account = aws.account(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    mfa_used = mfa(event),
    login_to = event:get("additionalEventData", "LoginTo"),
    region = event.awsRegion,
  }
end
