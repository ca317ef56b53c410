local syslog = require("syslog")

local COUNTED = { invalid_user = true, pam_auth_failure = true }

-- sshd writes "Invalid user <name> from <ip> port <n>" once per connection
-- that names an account the host does not have, before any password is
-- tried: the line counts name guesses, whatever the client does next.
-- Hosts that write only PAM's lines (RedHat's sshd(pam_unix)[pid]) record
-- such a guess as an authentication failure without user=, which pam_unix
-- leaves out for accounts that do not exist.
function rule(event)
  if not COUNTED[event:get("sshd", "event")] then
    return false
  end
  if syslog.is_expected_ssh_source(event:get("sshd", "src_ip")) then
    return false
  end
  if event:get("sshd", "event") == "pam_auth_failure" then
    return syslog.is_pam_only_failure(event) and event:get("sshd", "invalid_user") == true
  end
  return true
end

function title(event)
  return string.format("SSH logins for non-existent users from %s on %s",
    syslog.ssh_source(event), syslog.host(event))
end

function dedup(event)
  return syslog.ssh_source(event)
end

-- Internet-facing sshd sees this from botnets all day; from inside the
-- network it is a host of yours scanning.
function severity(event)
  if syslog.is_internal(event:get("sshd", "src_ip")) then
    return "Medium"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = syslog.ssh_context(event)
  ctx.internal_source = syslog.is_internal(event:get("sshd", "src_ip"))
  return ctx
end
