local MIN_SEVERITY = 7

-- The resource a finding is about, in words.
local function resource(event)
  local r = event.resource
  if r == nil then
    return "unknown resource"
  end
  local t = r.resourceType or "resource"
  local name = r:get("instanceDetails", "instanceId")
    or r:get("accessKeyDetails", "userName")
    or r:get("s3BucketDetails", 1, "name")
    or r:get("eksClusterDetails", "name")
    or r:get("lambdaDetails", "functionName")
    or r:get("rdsDbInstanceDetails", "dbInstanceIdentifier")
    or r:get("ecsClusterDetails", "name")
  if name then
    return t .. " " .. name
  end
  return t
end

local function sample(event)
  return event:get("service", "additionalInfo", "sample") == true
end

function rule(event)
  return type(event.severity) == "number"
    and event.severity >= MIN_SEVERITY
    and event:get("service", "archived") ~= true
    and not sample(event)
end

function title(event)
  return string.format("GuardDuty %s on %s in %s: %s",
    event.type or "finding", resource(event), event.accountId or "?", event.title or "")
end

-- The same finding type on the same resource is one alert: GuardDuty
-- re-sends a finding each time its count grows.
function dedup(event)
  return (event.accountId or "?") .. ":" .. (event.type or "?") .. ":" .. resource(event)
end

-- GuardDuty's scale: 7.0-8.9 High, 9.0-10.0 Critical.
function severity(event)
  if event.severity >= 9 then
    return "Critical"
  end
  return "High"
end

function alert_context(event)
  return {
    finding_id = event.id,
    finding_type = event.type,
    guardduty_severity = event.severity,
    account = event.accountId,
    region = event.region,
    resource = resource(event),
    action_type = event:get("service", "action", "actionType"),
    remote_ip = event:get("service", "action", "networkConnectionAction", "remoteIpDetails", "ipAddressV4")
      or event:get("service", "action", "awsApiCallAction", "remoteIpDetails", "ipAddressV4"),
    api = event:get("service", "action", "awsApiCallAction", "api"),
    count = event:get("service", "count"),
    first_seen = event:get("service", "eventFirstSeen"),
    last_seen = event:get("service", "eventLastSeen"),
    console = string.format("https://console.aws.amazon.com/guardduty/home?region=%s#/findings?fId=%s",
      event.region or "us-east-1", event.id or ""),
  }
end
