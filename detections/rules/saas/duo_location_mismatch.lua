local function where(event, device)
  return event:get(device, "location", "country")
end

function rule(event)
  local a, b = where(event, "access_device"), where(event, "auth_device")
  return event.result == "success" and a ~= nil and b ~= nil and a ~= "" and b ~= "" and a ~= b
end

function title(event)
  return string.format("Duo login by %s from %s approved in %s", event:get("user", "name") or "?", where(event, "access_device"), where(event, "auth_device"))
end

function dedup(event)
  return (event:get("user", "name") or "?") .. ":" .. where(event, "access_device") .. ":" .. where(event, "auth_device")
end

function alert_context(event)
  return {user = event:get("user", "name"), access_ip = event:get("access_device", "ip"), auth_ip = event:get("auth_device", "ip"),
    access_country = where(event, "access_device"), auth_country = where(event, "auth_device")}
end
