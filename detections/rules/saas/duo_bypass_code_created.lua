local function details(event)
  local d = event.description
  if type(d) ~= "string" then
    return {}
  end
  local ok, v = pcall(json.decode, d)
  if ok and type(v) == "table" then
    return v
  end
  return {}
end

function rule(event)
  return event.action == "bypass_create"
end

function title(event)
  return string.format("Duo bypass codes for %s created by %s", event.object or "?", event.username or "?")
end

function dedup(event)
  return event.object or "?"
end

function severity(event)
  local d = details(event)
  if (tonumber(d.count) or 1) > 1 or (tonumber(d.valid_secs) or 0) == 0 then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local d = details(event)
  return {admin = event.username, user = event.object, count = d.count, valid_secs = d.valid_secs}
end
