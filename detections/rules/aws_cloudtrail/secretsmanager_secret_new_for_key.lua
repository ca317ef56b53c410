local aws = require("aws")

-- A secret read with an IAM user's long-term access key (AKIA...): the
-- kind of key CreateAccessKey makes. Role sessions (ASIA...), the console
-- and AWS services reading secrets for tasks are left out, so the history
-- FirstSeen keeps is per long-term key, and small.
function rule(event)
  if event.eventSource ~= "secretsmanager.amazonaws.com" or event.eventName ~= "GetSecretValue" then
    return false
  end
  if aws.failed(event) or event:get("userIdentity", "type") ~= "IAMUser" then
    return false
  end
  local key = event:get("userIdentity", "accessKeyId") or ""
  return key:sub(1, 4) == "AKIA" and event:get("requestParameters", "secretId") ~= nil
end

local function secret(event)
  local id = event:get("requestParameters", "secretId")
  -- A full ARN ends in the name and a random suffix: keep the name.
  return id:match("^arn:aws[%w-]*:secretsmanager:[^:]*:%d+:secret:(.+)%-%w%w%w%w%w%w$") or id
end

function title(event)
  return string.format("Secret %s read for the first time with access key %s of %s in %s",
    secret(event), event:get("userIdentity", "accessKeyId"), aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. event:get("userIdentity", "accessKeyId")
end

function alert_context(event)
  return {
    user = aws.actor(event),
    access_key = event:get("userIdentity", "accessKeyId"),
    account = aws.account(event),
    secret = secret(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
