local aws = require("aws")

local ACTIONS = { ScheduleKeyDeletion = "scheduled for deletion", DisableKey = "disabled" }

function rule(event)
  return event.eventSource == "kms.amazonaws.com"
    and ACTIONS[event.eventName] ~= nil
    and not aws.failed(event)
end

local function key(event)
  return event:get("responseElements", "keyId") or event:get("requestParameters", "keyId") or "?"
end

local function short_key(event)
  local k = key(event)
  return k:match("key/(.+)$") or k
end

function title(event)
  local when = ""
  local days = event:get("requestParameters", "pendingWindowInDays")
  if event.eventName == "ScheduleKeyDeletion" then
    when = string.format(" (in %s days)", days and tostring(math.floor(days)) or "30")
  end
  return string.format("KMS key %s %s%s by %s in %s",
    short_key(event), ACTIONS[event.eventName], when, aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. short_key(event)
end

-- Deletion is irreversible once the window ends: data encrypted under the
-- key is lost for good.
function severity(event)
  if event.eventName == "ScheduleKeyDeletion" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    key = key(event),
    action = event.eventName,
    pending_window_days = event:get("requestParameters", "pendingWindowInDays"),
    deletion_date = event:get("responseElements", "deletionDate"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
