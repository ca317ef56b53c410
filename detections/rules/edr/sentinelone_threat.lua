local DETECTIONS = {[19] = true, [4108] = true}

local function data(event, name)
  return event:get("data", name) or event:get("data", string.lower(name))
end

function rule(event)
  local t = tonumber(event.activityType)
  if t == 3608 then
    return true
  end
  return DETECTIONS[t] == true and data(event, "confidenceLevel") == "malicious"
end

function title(event)
  return "SentinelOne: " .. (event.primaryDescription or "threat")
end

function dedup(event)
  return event.threatId or event.id or "?"
end

function alert_context(event)
  return {
    host = data(event, "computerName"),
    file = data(event, "filePath") or data(event, "fileDisplayName"),
    sha1 = data(event, "fileContentHash"),
    classification = data(event, "threatClassification"),
    site = event.siteName,
  }
end
