local aws = require("aws")

local ACTIONS = {
  StopConfigurationRecorder = "recorder stopped",
  DeleteConfigurationRecorder = "recorder deleted",
  DeleteDeliveryChannel = "delivery channel deleted",
}

function rule(event)
  return event.eventSource == "config.amazonaws.com"
    and ACTIONS[event.eventName] ~= nil
    and not aws.failed(event)
end

local function name(event)
  return event:get("requestParameters", "configurationRecorderName")
    or event:get("requestParameters", "deliveryChannelName") or "default"
end

function title(event)
  return string.format("AWS Config %s (%s) by %s in %s %s",
    ACTIONS[event.eventName], name(event), aws.actor(event), aws.account(event), event.awsRegion or "?")
end

function dedup(event)
  return aws.account_region(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    action = event.eventName,
    name = name(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
