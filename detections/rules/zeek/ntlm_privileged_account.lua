local netmon = require("netmon")

function rule(event)
  return netmon.is_privileged_account(event.username)
    and not netmon.in_list(event["id.orig_h"], netmon.admin_hosts)
end

local function account(event)
  local d = event.domainname
  if d ~= nil and d ~= "" then
    return d .. "\\" .. event.username
  end
  return event.username
end

function title(event)
  return string.format("NTLM logon as %s from %s to %s",
    account(event), event["id.orig_h"] or "?", event["id.resp_h"] or "?")
end

function dedup(event)
  return (event["id.orig_h"] or "?") .. ":" .. string.lower(event.username)
end

-- Zeek sets success only when it saw the server accept the logon.
function severity(event)
  if event.success == true then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    target = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    account = account(event),
    client_hostname = event.hostname,
    server = event.server_dns_computer_name or event.server_nb_computer_name,
    success = event.success,
    uid = event.uid,
  }
end
