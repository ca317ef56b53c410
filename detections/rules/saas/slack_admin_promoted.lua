local ROLES = {role_change_to_admin = "admin", role_change_to_owner = "owner"}

function rule(event)
  return ROLES[event.action or ""] ~= nil
end

function title(event)
  return string.format("Slack: %s made %s by %s", event:get("entity", "user", "email") or "?", ROLES[event.action], event:get("actor", "user", "email") or "?")
end

function dedup(event)
  return (event:get("entity", "user", "email") or "?") .. ":" .. event.action
end

function alert_context(event)
  return {actor = event:get("actor", "user", "email"), target = event:get("entity", "user", "email"), source_ip = event:get("context", "ip_address")}
end
