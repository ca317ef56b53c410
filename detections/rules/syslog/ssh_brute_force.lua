local syslog = require("syslog")

-- The methods in which a client types a secret. "none" is every client's
-- first probe for the methods on offer, and a refused public key is a key
-- the client merely offered: neither is a guess.
local GUESS_METHODS = {
  password = true,
  ["keyboard-interactive"] = true,
  ["keyboard-interactive/pam"] = true,
}

local COUNTED = { failed = true, pam_auth_failure = true }

-- Each failed password of an existing account, as sshd itself logs it. The
-- PAM line that comes with it today (pam_unix(sshd:auth): ...) is not
-- counted, or every attempt would count twice; on hosts that write only
-- PAM's line (RedHat's sshd(pam_unix)[pid]) that line is the attempt.
-- Failures for accounts that do not exist are Syslog.SSH.InvalidUsers.
function rule(event)
  if not COUNTED[event:get("sshd", "event")] then
    return false
  end
  if event:get("sshd", "invalid_user") == true
    or syslog.is_expected_ssh_source(event:get("sshd", "src_ip")) then
    return false
  end
  if syslog.is_pam_only_failure(event) then
    return true
  end
  return event:get("sshd", "event") == "failed"
    and GUESS_METHODS[event:get("sshd", "method")] == true
end

function title(event)
  return string.format("SSH password guessing from %s against %s",
    syslog.ssh_source(event), syslog.host(event))
end

-- One attacker is one alert, whichever hosts and accounts it tries.
function dedup(event)
  return syslog.ssh_source(event)
end

-- Guessing from inside the network is a compromised host moving laterally.
function severity(event)
  if syslog.is_internal(event:get("sshd", "src_ip")) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = syslog.ssh_context(event)
  ctx.internal_source = syslog.is_internal(event:get("sshd", "src_ip"))
  return ctx
end
