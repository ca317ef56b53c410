local syslog = require("syslog")

local PASSWORD_METHODS = {
  password = true,
  ["keyboard-interactive"] = true,
  ["keyboard-interactive/pam"] = true,
}

function rule(event)
  return event:get("sshd", "event") == "accepted"
    and event:get("sshd", "user") == "root"
end

local function method(event)
  return event:get("sshd", "method") or "unknown method"
end

function title(event)
  return string.format("SSH login as root on %s from %s (%s)",
    syslog.host(event), syslog.ssh_source(event), method(event))
end

-- The host whose configuration lets root in.
function dedup(event)
  return syslog.host(event)
end

-- A root password that works from anywhere, or any root login from the
-- internet, is the worst case; a key from inside is more often automation.
function severity(event)
  if PASSWORD_METHODS[event:get("sshd", "method")] or not syslog.is_internal(event:get("sshd", "src_ip")) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = syslog.ssh_context(event)
  ctx.internal_source = syslog.is_internal(event:get("sshd", "src_ip"))
  return ctx
end
