local aws = require("aws")

-- Secrets read by AWS itself (rotation, ECS/Fargate injecting secrets into
-- tasks) come from a service, not a client address.
local function by_service(event)
  return aws.by_aws_service(event) or (event.sourceIPAddress or ""):match("%.amazonaws%.com$") ~= nil
end

function rule(event)
  return event.eventSource == "secretsmanager.amazonaws.com"
    and event.eventName == "GetSecretValue"
    and not aws.failed(event)
    and not by_service(event)
end

function title(event)
  return string.format("Many secrets read by %s in %s", aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    secret = event:get("requestParameters", "secretId"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
