local windows = require("windows")

-- PROCESS_VM_READ (0x10) or PROCESS_ALL_ACCESS: enough to read memory.
local function reads_memory(access)
  local n = tonumber(access or "")
  if n == nil then
    return false
  end
  return math.floor(n / 16) % 2 == 1 or n == 0x1fffff
end

function rule(event)
  if windows.id(event) ~= 10 or not windows.is_sysmon(event) then
    return false
  end
  if windows.exe(windows.data(event, "TargetImage")) ~= "lsass.exe" then
    return false
  end
  if windows.lsass_readers[windows.exe(windows.data(event, "SourceImage"))] then
    return false
  end
  return reads_memory(windows.data(event, "GrantedAccess"))
end

function title(event)
  return string.format("%s opened LSASS on %s", windows.exe(windows.data(event, "SourceImage")), windows.host(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. windows.exe(windows.data(event, "SourceImage"))
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.source_image = windows.data(event, "SourceImage")
  ctx.granted_access = windows.data(event, "GrantedAccess")
  ctx.call_trace = windows.data(event, "CallTrace")
  return ctx
end
