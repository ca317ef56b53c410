function rule(event)
  return event.result == "fraud"
end

function title(event)
  return string.format("Duo push reported as fraud by %s (access from %s)", event:get("user", "name") or "?", event:get("access_device", "ip") or "?")
end

function dedup(event)
  return event:get("user", "name") or "?"
end

function alert_context(event)
  return {user = event:get("user", "name"), source_ip = event:get("access_device", "ip"), application = event:get("application", "name"),
    location = event:get("access_device", "location", "country")}
end
