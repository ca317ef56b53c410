local aws = require("aws")

-- What a PutEventSelectors call turns off, as a list of reasons. Basic
-- selectors: management events off, only reads or only writes kept, event
-- sources excluded. Advanced selectors: no selector for management events,
-- or the management selector filtered on readOnly or eventSource.
local function selector_reasons(rp)
  local reasons, data = {}, false
  local basic = rp.eventSelectors
  if basic ~= nil and #basic > 0 then
    local mgmt = false
    for _, s in ipairs(basic) do
      if s.includeManagementEvents ~= false then
        mgmt = true
        if s.readWriteType == "ReadOnly" or s.readWriteType == "WriteOnly" then
          table.insert(reasons, "management events " .. s.readWriteType)
        end
        local ex = s.excludeManagementEventSources
        if ex ~= nil and #ex > 0 then
          local names = {}
          for _, src in ipairs(ex) do table.insert(names, tostring(src)) end
          table.insert(reasons, "excludes " .. table.concat(names, ","))
        end
      end
      for _, dr in ipairs(aws.list(s.dataResources)) do
        if dr.values ~= nil and #dr.values > 0 then
          data = true
        end
      end
    end
    if not mgmt then
      table.insert(reasons, "management events off")
    end
  end
  local adv = rp.advancedEventSelectors
  if adv ~= nil and #adv > 0 then
    local mgmt = false
    for _, s in ipairs(adv) do
      local is_mgmt, filtered = false, nil
      for _, f in ipairs(aws.list(s.fieldSelectors)) do
        if f.field == "eventCategory" then
          for _, v in ipairs(aws.list(f.equals)) do
            if v == "Management" then is_mgmt = true end
            if v == "Data" then data = true end
          end
        elseif f.field == "readOnly" then
          filtered = "management events readOnly=" .. tostring(aws.list(f.equals)[1])
        elseif f.field == "eventSource" and f.notEquals ~= nil then
          local names = {}
          for _, src in ipairs(aws.list(f.notEquals)) do table.insert(names, tostring(src)) end
          filtered = "excludes " .. table.concat(names, ",")
        end
      end
      if is_mgmt then
        mgmt = true
        if filtered then table.insert(reasons, filtered) end
      end
    end
    if not mgmt then
      table.insert(reasons, "management events off")
    end
  end
  return reasons, data
end

-- What an UpdateTrail call turns off.
local function update_reasons(rp)
  local reasons = {}
  if rp.isMultiRegionTrail == false then
    table.insert(reasons, "single region only")
  end
  if rp.includeGlobalServiceEvents == false then
    table.insert(reasons, "global service events (IAM, STS) off")
  end
  if rp.enableLogFileValidation == false then
    table.insert(reasons, "log file validation off")
  end
  return reasons, true
end

local function reasons(event)
  local rp = event.requestParameters
  if rp == nil then
    return {}, true
  end
  if event.eventName == "PutEventSelectors" then
    return selector_reasons(rp)
  end
  if event.eventName == "UpdateTrail" then
    return update_reasons(rp)
  end
  return {}, true
end

function rule(event)
  -- Source and name in the opening test: the engine checks both in Go.
  if event.eventSource ~= "cloudtrail.amazonaws.com"
    or (event.eventName ~= "PutEventSelectors" and event.eventName ~= "UpdateTrail") or aws.failed(event) then
    return false
  end
  local r = reasons(event)
  return #r > 0
end

local function trail(event)
  local name = event:get("requestParameters", "trailName") or event:get("requestParameters", "name") or "unknown"
  return name:match("trail/(.+)$") or name
end

function title(event)
  local r = reasons(event)
  return string.format("CloudTrail trail %s logs less (%s) after %s by %s in %s",
    trail(event), table.concat(r, "; "), event.eventName, aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. trail(event)
end

-- A trail left recording neither management nor data events is as good as
-- stopped.
function severity(event)
  local r, data = reasons(event)
  for _, x in ipairs(r) do
    if x == "management events off" and not data then
      return "High"
    end
  end
  return "DEFAULT"
end

function alert_context(event)
  local r = reasons(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    trail = trail(event),
    action = event.eventName,
    reduced = table.concat(r, "; "),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
