local netmon = require("netmon")

function rule(event)
  return netmon.is_public(event["id.orig_h"]) and not netmon.is_public(event["id.resp_h"])
end

function title(event)
  return string.format("RDP from internet host %s to internal host %s",
    event["id.orig_h"], event["id.resp_h"] or "?")
end

function dedup(event)
  return event["id.orig_h"] .. "->" .. (event["id.resp_h"] or "?")
end

-- Zeek sees the login succeed only with standard RDP security.
function severity(event)
  if event.result == "Success" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    destination = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    cookie = event.cookie,
    client_name = event.client_name,
    client_build = event.client_build,
    security_protocol = event.security_protocol,
    result = event.result,
    uid = event.uid,
  }
end
