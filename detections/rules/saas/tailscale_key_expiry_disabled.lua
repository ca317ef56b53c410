local function t(event, name)
  return event:get("event", "target", name)
end

function rule(event)
  local prop, kind = t(event, "property"), t(event, "type")
  if prop == "KEY_EXPIRY_DISABLED" then
    return event:get("event", "new") ~= false
  end
  return kind == "API_KEY" and prop == "REUSABLE" and event:get("event", "action") == "CREATE"
end

function title(event)
  return string.format("Tailscale %s on %s by %s", t(event, "property"), t(event, "name") or "?", event:get("event", "actor", "loginName") or "?")
end

function dedup(event)
  return (t(event, "id") or "?") .. ":" .. t(event, "property")
end

function alert_context(event)
  return {actor = event:get("event", "actor", "loginName"), target = t(event, "name"), property = t(event, "property"), origin = event:get("event", "origin")}
end
