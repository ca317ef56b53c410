local aws = require("aws")

-- StartConfigurationRecorder is the one call that resumes recording: a
-- recorder recreated (PutConfigurationRecorder) or a delivery channel put
-- back records nothing until it is started.
function rule(event)
  return event.eventSource == "config.amazonaws.com"
    and event.eventName == "StartConfigurationRecorder"
    and not aws.failed(event)
end

local function name(event)
  return event:get("requestParameters", "configurationRecorderName") or "default"
end

function title(event)
  return string.format("AWS Config recorder %s started in %s %s",
    name(event), aws.account(event), event.awsRegion or "?")
end

-- As AWS.Config.RecorderStopped: one account and region.
function dedup(event)
  return aws.account_region(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    account = aws.account(event),
    region = event.awsRegion,
    name = name(event),
  }
end
