local netmon = require("netmon")

-- Every rdp.log line is one RDP connection. With Network Level
-- Authentication (security_protocol HYBRID) Zeek cannot see whether the
-- login worked, so the rule counts connections: a person opens a handful,
-- password guessing and spraying tools open hundreds.
function rule(event)
  local src = event["id.orig_h"]
  return src ~= nil
    and not netmon.in_list(src, netmon.rdp_gateways)
    and not netmon.in_list(src, netmon.authorized_scanners)
end

function title(event)
  return string.format("Burst of RDP connections from %s %s (first target %s)",
    netmon.where(event["id.orig_h"]), event["id.orig_h"], event["id.resp_h"] or "?")
end

-- One source, whichever hosts it tries.
function dedup(event)
  return event["id.orig_h"]
end

-- RDP guessing straight from the internet means RDP is exposed.
function severity(event)
  if netmon.is_public(event["id.orig_h"]) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    source_where = netmon.where(event["id.orig_h"]),
    first_target = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    cookie = event.cookie,
    client_name = event.client_name,
    security_protocol = event.security_protocol,
    result = event.result,
  }
end
