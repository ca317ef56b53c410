local windows = require("windows")

local function source(event)
  local ip = windows.data(event, "IpAddress")
  if ip == nil or ip == "127.0.0.1" or ip == "::1" then
    return nil
  end
  return ip
end

function rule(event)
  return windows.id(event) == 4625 and windows.is_security(event) and source(event) ~= nil
end

function title(event)
  return string.format("Windows logon failures on %s from %s", windows.host(event), source(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. source(event)
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.source_ip = source(event)
  ctx.user_tried = windows.data(event, "TargetUserName")
  ctx.logon_type = windows.data(event, "LogonType")
  ctx.sub_status = windows.data(event, "SubStatus")
  return ctx
end
