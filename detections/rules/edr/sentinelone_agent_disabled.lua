local TYPES = {[2004] = true, [2005] = true, [52] = true, [5006] = true, [58] = true}

function rule(event)
  return TYPES[tonumber(event.activityType)] == true
end

function title(event)
  return "SentinelOne: " .. (event.primaryDescription or "agent disabled")
end

function dedup(event)
  return (event.agentId or "?") .. ":" .. tostring(event.activityType)
end

function alert_context(event)
  return {host = event:get("data", "computerName"), user = event:get("data", "userName"), activity_type = event.activityType, site = event.siteName}
end
