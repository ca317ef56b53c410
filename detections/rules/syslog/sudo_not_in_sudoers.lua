local syslog = require("syslog")

-- sudo's reasons when the user has no rule at all: not in sudoers, or in
-- it for other hosts only.
local function no_rights(reason)
  if reason == nil then
    return false
  end
  reason = reason:lower()
  return reason:find("not in sudoers", 1, true) ~= nil
    or reason:find("not authorized on host", 1, true) ~= nil
end

function rule(event)
  return event:get("sudo", "result") == "denied"
    and no_rights(event:get("sudo", "reason"))
end

local function user(event)
  return event:get("sudo", "user") or "unknown user"
end

function title(event)
  local cmd = event:get("sudo", "command") or "?"
  if #cmd > 80 then
    cmd = cmd:sub(1, 77) .. "..."
  end
  return string.format("sudo refused for %s on %s (no sudo rights): %s", user(event), syslog.host(event), cmd)
end

function dedup(event)
  return user(event) .. "@" .. syslog.host(event)
end

function alert_context(event)
  return syslog.sudo_context(event)
end
