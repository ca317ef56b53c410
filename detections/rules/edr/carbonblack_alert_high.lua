function rule(event)
  return (tonumber(event.severity) or 0) >= 7 and event:get("workflow", "status") ~= "CLOSED"
end

function title(event)
  return string.format("Carbon Black alert on %s: %s (severity %d)", event.device_name or "?", event.process_name or "?", tonumber(event.severity))
end

function dedup(event)
  return event.id or "?"
end

function alert_context(event)
  return {
    device = event.device_name,
    user = event.device_username or event.process_username,
    reason = event.reason,
    ttps = event.ttps,
    sensor_action = event.sensor_action,
    sha256 = event.process_sha256,
    link = event.alert_url,
  }
end
