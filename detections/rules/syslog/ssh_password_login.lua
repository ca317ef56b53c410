local syslog = require("syslog")

local PASSWORD_METHODS = {
  password = true,
  ["keyboard-interactive"] = true,
  ["keyboard-interactive/pam"] = true,
}

-- root is left to Syslog.SSH.RootLogin, which raises a root password login
-- as High: one alert for one login.
function rule(event)
  return event:get("sshd", "event") == "accepted"
    and PASSWORD_METHODS[event:get("sshd", "method")] == true
    and event:get("sshd", "user") ~= "root"
    and not syslog.is_password_login_host(event.hostname)
end

function title(event)
  return string.format("SSH password login for %s on %s from %s",
    event:get("sshd", "user") or "unknown user", syslog.host(event), syslog.ssh_source(event))
end

-- The host is what needs fixing (it still takes passwords).
function dedup(event)
  return syslog.host(event)
end

function severity(event)
  if syslog.is_internal(event:get("sshd", "src_ip")) then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = syslog.ssh_context(event)
  ctx.internal_source = syslog.is_internal(event:get("sshd", "src_ip"))
  return ctx
end
