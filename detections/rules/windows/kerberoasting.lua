local windows = require("windows")

local RC4 = {["0x17"] = true, ["0x18"] = true}

local function requester(event)
  return windows.data(event, "TargetUserName") or "unknown account"
end

function rule(event)
  if windows.id(event) ~= 4769 or not windows.is_security(event) then
    return false
  end
  if not RC4[string.lower(windows.data(event, "TicketEncryptionType") or "")] or (windows.data(event, "Status") or "0x0") ~= "0x0" then
    return false
  end
  local svc = string.lower(windows.data(event, "ServiceName") or "")
  return svc ~= "" and svc ~= "krbtgt" and string.sub(svc, -1) ~= "$"
end

function title(event)
  return "Kerberoasting: RC4 service tickets requested by " .. requester(event)
end

function dedup(event)
  return string.lower(requester(event))
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.requester = requester(event)
  ctx.service = windows.data(event, "ServiceName")
  ctx.client_address = windows.data(event, "IpAddress")
  return ctx
end
