local aws = require("aws")

local function target(event)
  local serial = event:get("requestParameters", "serialNumber") or ""
  if serial:match(":mfa/root%-account%-mfa%-device$")
    or (event:get("userIdentity", "type") == "Root" and event:get("requestParameters", "userName") == nil) then
    return "root"
  end
  return event:get("requestParameters", "userName") or aws.caller_user(event) or "unknown"
end

function rule(event)
  return event.eventSource == "iam.amazonaws.com"
    and event.eventName == "DeactivateMFADevice"
    and not aws.failed(event)
end

function title(event)
  return string.format("%s removed the MFA device of %s in %s",
    aws.actor(event), target(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

-- A user replacing their own phone is routine; root losing MFA, or someone
-- removing another user's MFA, is a takeover step.
function severity(event)
  local t = target(event)
  if t == "root" then
    return "High"
  end
  if t == aws.caller_user(event) then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    target_user = target(event),
    serial_number = event:get("requestParameters", "serialNumber"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
