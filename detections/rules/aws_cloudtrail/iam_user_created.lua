local aws = require("aws")

function rule(event)
  return event.eventSource == "iam.amazonaws.com"
    and event.eventName == "CreateUser"
    and not aws.failed(event)
end

local function new_user(event)
  return event:get("requestParameters", "userName") or event:get("responseElements", "user", "userName") or "?"
end

function title(event)
  return string.format("%s created IAM user %s in %s", aws.actor(event), new_user(event), aws.account(event))
end

-- One alert per creator and hour: a batch of new users is one thing to review.
function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    new_user = new_user(event),
    new_user_arn = event:get("responseElements", "user", "arn"),
    invoked_by = event:get("userIdentity", "invokedBy"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
