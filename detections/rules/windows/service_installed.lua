local windows = require("windows")

-- A service's command that runs an interpreter, a script host or a binary
-- from a folder any user can write to.
local SUSPICIOUS = {
  "%comspec%", "cmd.exe", "cmd /c", "powershell", "pwsh", "-enc", "mshta", "rundll32",
  "regsvr32", "wscript", "cscript", "\\users\\", "\\temp\\", "\\programdata\\",
  "\\public\\", "\\appdata\\", "\\\\127.0.0.1\\", "\\admin$\\",
}

local function service(event)
  return windows.data(event, "ServiceName") or "unknown service"
end

local function image(event)
  return windows.data(event, "ImagePath") or windows.data(event, "ServiceFileName") or ""
end

local function suspicious(event)
  local path = string.lower(image(event))
  for _, s in ipairs(SUSPICIOUS) do
    if string.find(path, s, 1, true) then
      return true
    end
  end
  return false
end

function rule(event)
  local id = windows.id(event)
  return (id == 7045 and windows.channel(event) == "System") or (id == 4697 and windows.is_security(event))
end

function title(event)
  return string.format("Service %s installed on %s", service(event), windows.host(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. service(event)
end

function severity(event)
  if suspicious(event) then
    return "High"
  end
  return "Low"
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.service = service(event)
  ctx.image_path = image(event)
  ctx.account = windows.data(event, "ServiceAccount") or windows.data(event, "AccountName")
  ctx.suspicious_path = suspicious(event)
  return ctx
end
