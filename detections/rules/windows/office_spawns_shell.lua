local windows = require("windows")

local OFFICE = {["winword.exe"] = true, ["excel.exe"] = true, ["powerpnt.exe"] = true, ["outlook.exe"] = true,
  ["msaccess.exe"] = true, ["mspub.exe"] = true, ["onenote.exe"] = true}
local SHELLS = {["cmd.exe"] = true, ["powershell.exe"] = true, ["pwsh.exe"] = true, ["wscript.exe"] = true,
  ["cscript.exe"] = true, ["mshta.exe"] = true, ["rundll32.exe"] = true, ["regsvr32.exe"] = true,
  ["certutil.exe"] = true, ["bitsadmin.exe"] = true, ["schtasks.exe"] = true}

local function names(event)
  local _, image, _, parent = windows.process_create(event)
  return windows.exe(parent), windows.exe(image)
end

function rule(event)
  local ok = windows.process_create(event)
  if not ok then
    return false
  end
  local parent, child = names(event)
  return OFFICE[parent] == true and SHELLS[child] == true
end

function title(event)
  local parent, child = names(event)
  return string.format("%s started %s on %s", parent, child, windows.host(event))
end

function dedup(event)
  local parent, child = names(event)
  return windows.host(event) .. ":" .. parent .. ":" .. child
end

function alert_context(event)
  local ctx = windows.context(event)
  local _, image, cmdline, parent = windows.process_create(event)
  ctx.image = image
  ctx.command_line = cmdline
  ctx.parent_image = parent
  ctx.parent_command_line = windows.data(event, "ParentCommandLine")
  return ctx
end
