-- Helpers shared by the Syslog detections. require("syslog") returns this
-- table. The events are those of parsers/syslog: OpenSSH messages carry an
-- sshd object (event, user, invalid_user, src_ip, src_port, method,
-- repeated, ...), sudo's command lines a sudo object (user, result, reason,
-- tty, pwd, run_as, command).
--
-- The tables in the "Known good" section are data: the place to tell the
-- shipped Syslog detections about your own hosts. Edit them in your fork of
-- the detections, or mock them in a test
-- (Mocks: [{objectName: syslog.password_login_hosts, returnValue: [...]}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- ssh_expected_sources: CIDRs of systems whose failed SSH logins are
-- expected (a credentialed vulnerability scanner, a monitoring probe that
-- logs in). The brute-force and invalid-user detections skip them.
-- Example: { "10.20.0.15/32", "192.0.2.0/28" }
M.ssh_expected_sources = {}

-- password_login_hosts: hosts (the syslog hostname as logged, any case) on
-- which SSH logins with a password are expected, such as an appliance that
-- cannot take keys. Everywhere else an accepted password login means the
-- server still accepts passwords. Example: { "legacy-nas", "lab01" }
M.password_login_hosts = {}

---------------------------------------------------------------------------
-- Reading the events
---------------------------------------------------------------------------

-- host is the host that wrote the line (the syslog HOSTNAME).
function M.host(event)
  local h = event.hostname
  if h == nil or h == "" then
    return "unknown host"
  end
  return h
end

-- ssh_source is the SSH client address (a name when sshd's UseDNS is on).
function M.ssh_source(event)
  return event:get("sshd", "src_ip") or "unknown source"
end

-- is_internal reports an address of the internal networks setting
-- (internal_networks: by default the private, loopback, link-local and
-- CGNAT ranges). Names (UseDNS) are not addresses and are not internal.
function M.is_internal(ip)
  return net.is_internal(ip)
end

-- is_expected_ssh_source: the address is in ssh_expected_sources.
function M.is_expected_ssh_source(ip)
  return ip ~= nil and net.in_cidr(ip, M.ssh_expected_sources)
end

-- is_password_login_host: the host is in password_login_hosts.
function M.is_password_login_host(host)
  if host == nil then
    return false
  end
  host = host:lower()
  for _, h in ipairs(M.password_login_hosts) do
    if type(h) == "string" and h:lower() == host then
      return true
    end
  end
  return false
end

-- is_pam_only_failure: a PAM authentication failure that is the only record
-- of the attempt. RedHat-era hosts wrote sshd's PAM lines under their own
-- tag, sshd(pam_unix)[pid] (the event's subsystem is the PAM module), and no
-- "Failed password" line: the PAM line is the one to count there. Today's
-- "pam_unix(sshd:auth): authentication failure" comes with sshd's own
-- "Failed password" line, which is the one counted.
function M.is_pam_only_failure(event)
  local sub = event.subsystem
  return event:get("sshd", "event") == "pam_auth_failure"
    and type(sub) == "string" and sub:sub(1, 4) == "pam_"
end

-- attempts is the number of sshd messages a line stands for: rsyslog folds
-- identical consecutive lines into "message repeated N times: [ ... ]".
function M.attempts(event)
  local n = event:get("sshd", "repeated")
  if type(n) == "number" and n > 1 then
    return n
  end
  return 1
end

---------------------------------------------------------------------------
-- Data model methods (Standard.Syslog.RFC5424, Standard.Syslog.RFC3164)
---------------------------------------------------------------------------

-- actor_user is who acted: the account an SSH client named, or who ran
-- sudo.
function M.actor_user(event)
  return event:get("sshd", "user") or event:get("sudo", "user")
end

-- source_ip is the SSH client address, only when it is an address (with
-- UseDNS on, sshd logs a name).
function M.source_ip(event)
  local ip = event:get("sshd", "src_ip")
  if net.is_ip(ip) then
    return ip
  end
  return nil
end

-- event_type is "sshd.<event>" (sshd.accepted, sshd.failed, ...),
-- "sudo.<result>" (sudo.allowed, sudo.denied), else the program name.
function M.event_type(event)
  local e = event:get("sshd", "event")
  if e ~= nil then
    return "sshd." .. e
  end
  local r = event:get("sudo", "result")
  if r ~= nil then
    return "sudo." .. r
  end
  return event.appname
end

-- ssh_context is the alert context of an sshd event.
function M.ssh_context(event)
  return {
    host = M.host(event),
    program = event.appname,
    sshd_event = event:get("sshd", "event"),
    user = event:get("sshd", "user"),
    invalid_user = event:get("sshd", "invalid_user") == true,
    source_ip = event:get("sshd", "src_ip"),
    source_port = event:get("sshd", "src_port"),
    method = event:get("sshd", "method"),
    key_type = event:get("sshd", "key_type"),
    key_fingerprint = event:get("sshd", "key_fingerprint"),
    repeated = event:get("sshd", "repeated"),
    message = event.message,
  }
end

-- sudo_context is the alert context of a sudo event.
function M.sudo_context(event)
  return {
    host = M.host(event),
    user = event:get("sudo", "user"),
    result = event:get("sudo", "result"),
    reason = event:get("sudo", "reason"),
    run_as = event:get("sudo", "run_as"),
    run_as_group = event:get("sudo", "run_as_group"),
    command = event:get("sudo", "command"),
    tty = event:get("sudo", "tty"),
    pwd = event:get("sudo", "pwd"),
  }
end

return M
