local aws = require("aws")

function rule(event)
  return event.eventSource == "organizations.amazonaws.com"
    and event.eventName == "LeaveOrganization"
    and not aws.failed(event)
end

function title(event)
  return string.format("Account %s left its AWS Organization (by %s)", aws.account(event), aws.actor(event))
end

function dedup(event)
  return aws.account(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
