function rule(event)
  return event.action == "file_downloaded"
end

function title(event)
  return "Mass download from Slack by " .. (event:get("actor", "user", "email") or "?")
end

function dedup(event)
  return event:get("actor", "user", "email") or "?"
end

function alert_context(event)
  return {user = event:get("actor", "user", "email"), source_ip = event:get("context", "ip_address"), user_agent = event:get("context", "ua")}
end
