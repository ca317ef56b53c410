local syslog = require("syslog")

-- sudo's reasons for refusing a user who may use sudo: wrong passwords
-- ("1 incorrect password attempt", "3 incorrect password attempts") and
-- commands outside their rules. "user NOT in sudoers" is
-- Syslog.Sudo.NotInSudoers; "a password is required" is what `sudo -n` in
-- scripts gets, not a person guessing.
local function counted(reason)
  if reason == nil then
    return false
  end
  reason = reason:lower()
  return reason:find("incorrect password attempt", 1, true) ~= nil
    or reason:find("command not allowed", 1, true) ~= nil
end

function rule(event)
  return event:get("sudo", "result") == "denied"
    and counted(event:get("sudo", "reason"))
end

local function user(event)
  return event:get("sudo", "user") or "unknown user"
end

function title(event)
  return string.format("Repeated sudo failures for %s on %s", user(event), syslog.host(event))
end

function dedup(event)
  return user(event) .. "@" .. syslog.host(event)
end

function alert_context(event)
  return syslog.sudo_context(event)
end
