local windows = require("windows")
local netmon = require("netmon")

local function target(event)
  local u = windows.data(event, "TargetUserName") or "unknown user"
  local d = windows.data(event, "TargetDomainName")
  if d ~= nil then
    return d .. "\\" .. u
  end
  return u
end

function rule(event)
  if windows.id(event) ~= 4624 or not windows.is_security(event) or tostring(windows.data(event, "LogonType")) ~= "10" then
    return false
  end
  local ip = windows.data(event, "IpAddress")
  return ip ~= nil and netmon.is_public(ip)
end

function title(event)
  return string.format("RDP logon to %s as %s from %s", windows.host(event), target(event), windows.data(event, "IpAddress"))
end

function dedup(event)
  return windows.host(event) .. ":" .. windows.data(event, "IpAddress")
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.user = target(event)
  ctx.source_ip = windows.data(event, "IpAddress")
  return ctx
end
