function rule(event)
  return event.event_type == "DOWNLOAD"
end

function title(event)
  return "Mass download from Box by " .. (event:get("created_by", "login") or "?")
end

function dedup(event)
  return event:get("created_by", "login") or "?"
end

function alert_context(event)
  return {user = event:get("created_by", "login"), source_ip = event.ip_address, client = event:get("additional_details", "service_name")}
end
