local aws = require("aws")

function rule(event)
  if event.eventSource ~= "ec2.amazonaws.com" or event.eventName ~= "ModifyInstanceAttribute" or aws.failed(event) then
    return false
  end
  local rp = event.requestParameters
  return rp ~= nil and (rp.userData ~= nil or rp.attribute == "userData")
end

local function instance(event)
  return event:get("requestParameters", "instanceId") or "?"
end

function title(event)
  return string.format("User data of EC2 instance %s changed by %s in %s",
    instance(event), aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. instance(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    instance_id = instance(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
