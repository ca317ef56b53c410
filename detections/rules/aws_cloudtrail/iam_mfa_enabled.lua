local aws = require("aws")

function rule(event)
  return event.eventSource == "iam.amazonaws.com"
    and event.eventName == "EnableMFADevice"
    and not aws.failed(event)
end

function title(event)
  return string.format("%s enabled an MFA device for %s in %s",
    aws.actor(event), aws.mfa_user(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.mfa_user(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    account = aws.account(event),
    target_user = aws.mfa_user(event),
    serial_number = event:get("requestParameters", "serialNumber"),
    source_ip = event.sourceIPAddress,
  }
end
