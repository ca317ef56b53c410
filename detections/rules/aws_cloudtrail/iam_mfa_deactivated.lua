local aws = require("aws")

function rule(event)
  return event.eventSource == "iam.amazonaws.com"
    and event.eventName == "DeactivateMFADevice"
    and not aws.failed(event)
end

function title(event)
  return string.format("%s removed the MFA device of %s in %s",
    aws.actor(event), aws.mfa_user(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.mfa_user(event)
end

-- A user replacing their own phone is routine; root losing MFA, or someone
-- removing another user's MFA, is a takeover step.
function severity(event)
  local t = aws.mfa_user(event)
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
    target_user = aws.mfa_user(event),
    serial_number = event:get("requestParameters", "serialNumber"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
