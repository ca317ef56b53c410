local aws = require("aws")

local STARTS = {StartLogging = true, CreateTrail = true}

function rule(event)
  return event.eventSource == "cloudtrail.amazonaws.com" and STARTS[event.eventName] == true
    and not aws.failed(event)
end

-- The trail's name, from a name or an ARN, as AWS.CloudTrail.Stopped reads it.
local function trail(event)
  local name = event:get("requestParameters", "name") or "?"
  return name:match("trail/(.+)$") or name
end

function title(event)
  return "CloudTrail trail " .. trail(event) .. " started"
end

function dedup(event)
  return aws.account(event) .. ":" .. trail(event)
end

function alert_context(event)
  return {account = aws.account(event), trail = trail(event), actor = aws.actor(event)}
end
