local aws = require("aws")

-- The user whose device it is, named as AWS.IAM.MFADeviceDeactivated names
-- it, so that the two join: "root" for the root device.
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
    and event.eventName == "EnableMFADevice"
    and not aws.failed(event)
end

function title(event)
  return string.format("%s enabled an MFA device for %s in %s",
    aws.actor(event), target(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    account = aws.account(event),
    target_user = target(event),
    serial_number = event:get("requestParameters", "serialNumber"),
    source_ip = event.sourceIPAddress,
  }
end
