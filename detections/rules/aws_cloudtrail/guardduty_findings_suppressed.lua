local aws = require("aws")

-- What the call hides, or nil. Filters with action ARCHIVE are suppression
-- rules: matching findings are archived as they arrive. Active trusted IP
-- lists stop findings for traffic from those addresses altogether.
local function suppression(event)
  local name = event.eventName
  local rp = event.requestParameters
  if rp == nil then
    return nil
  end
  if (name == "CreateFilter" or name == "UpdateFilter") and rp.action == "ARCHIVE" then
    return "suppression rule " .. (rp.name or rp.filterName or "?")
  end
  if (name == "CreateIPSet" or name == "UpdateIPSet") and rp.activate == true then
    return "trusted IP list " .. (rp.name or rp.ipSetId or "?") .. (rp.location and (" from " .. rp.location) or "")
  end
  return nil
end

function rule(event)
  if event.eventSource ~= "guardduty.amazonaws.com" or aws.failed(event) then
    return false
  end
  return suppression(event) ~= nil
end

function title(event)
  return string.format("GuardDuty findings suppressed in %s %s: %s by %s",
    aws.account(event), event.awsRegion or "?", suppression(event), aws.actor(event))
end

-- One alert per filter or IP list.
function dedup(event)
  local rp = event.requestParameters
  return aws.account_region(event) .. ":"
    .. (rp.name or rp.filterName or rp.ipSetId or event.eventName)
end

local function criteria(event)
  local c = event:get("requestParameters", "findingCriteria")
  if c == nil then
    return nil
  end
  local s = json.encode(c)
  if #s > 500 then
    s = s:sub(1, 500) .. "..."
  end
  return s
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    detector_id = event:get("requestParameters", "detectorId"),
    suppression = suppression(event),
    finding_criteria = criteria(event),
    ip_list_location = event:get("requestParameters", "location"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
