local aws = require("aws")

local STOPS = { StopLogging = "stopped", DeleteTrail = "deleted" }

function rule(event)
  return event.eventSource == "cloudtrail.amazonaws.com"
    and STOPS[event.eventName] ~= nil
    and not aws.failed(event)
end

-- trail is the name of the trail, from its ARN or as given.
local function trail(event)
  local name = event:get("requestParameters", "name") or "unknown"
  return name:match("trail/(.+)$") or name
end

function title(event)
  return string.format("CloudTrail trail %s %s by %s in %s",
    trail(event), STOPS[event.eventName], aws.actor(event), aws.account(event))
end

-- One trail is one alert, whether the call named it by ARN or by name.
function dedup(event)
  return aws.account(event) .. ":" .. trail(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    account = aws.account(event),
    region = event.awsRegion,
    trail = trail(event),
    action = event.eventName,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
