local function e(event, name)
  return event:get("event", name)
end

function rule(event)
  local action = e(event, "action")
  return e(event, "category") == "ADMINISTRATOR_MANAGEMENT" and (action == "CREATE" or action == "UPDATE") and e(event, "result") == "SUCCESS"
end

function title(event)
  local verb = "changed"
  if e(event, "action") == "CREATE" then
    verb = "created"
  end
  return string.format("Zscaler admin %s %s by %s (%s)", e(event, "resource") or "?", verb, e(event, "adminid") or "?",
    event:get("event", "postaction", "role", "name") or "role unknown")
end

function dedup(event)
  return e(event, "resource") or "?"
end

function alert_context(event)
  return {admin = e(event, "adminid"), target = e(event, "resource"), source_ip = e(event, "clientip"), interface = e(event, "interface"),
    role = event:get("event", "postaction", "role", "name")}
end
