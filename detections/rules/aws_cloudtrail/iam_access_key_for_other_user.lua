local aws = require("aws")

-- The user the key was created for; nil means the caller's own user.
local function target(event)
  return event:get("requestParameters", "userName") or event:get("responseElements", "accessKey", "userName")
end

function rule(event)
  if event.eventSource ~= "iam.amazonaws.com" or event.eventName ~= "CreateAccessKey" or aws.failed(event) then
    return false
  end
  local t = target(event)
  return t ~= nil and t ~= aws.caller_user(event)
end

function title(event)
  return string.format("%s created an access key for IAM user %s in %s",
    aws.actor(event), target(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    target_user = target(event),
    new_access_key = event:get("responseElements", "accessKey", "accessKeyId"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
