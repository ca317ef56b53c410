local aws = require("aws")

-- AWS hides the name typed at the sign-in page when no such user exists.
local HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

function rule(event)
  return event.eventName == "ConsoleLogin"
    and event.eventSource == "signin.amazonaws.com"
    and event:get("responseElements", "ConsoleLogin") == "Failure"
end

local function target(event)
  if event:get("userIdentity", "type") == "Root" then
    return "root"
  end
  local name = event:get("userIdentity", "userName")
  if name == nil or name == "" or name == HIDDEN then
    return "unknown user names"
  end
  return name
end

function title(event)
  return string.format("Repeated console sign-in failures for %s in %s",
    target(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

-- Repeated failures for root are an attack on the one identity that can
-- do everything.
function severity(event)
  if target(event) == "root" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    target_user = target(event),
    account = aws.account(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    error = event.errorMessage,
    mfa_used = event:get("additionalEventData", "MFAUsed"),
  }
end
