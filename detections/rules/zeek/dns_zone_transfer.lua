local netmon = require("netmon")

-- AXFR (252) asks for the whole zone, IXFR (251) for its changes.
local TRANSFER = { AXFR = true, IXFR = true }

local function kind(event)
  if TRANSFER[event.qtype_name] then
    return event.qtype_name
  end
  if event.qtype == 252 then
    return "AXFR"
  end
  if event.qtype == 251 then
    return "IXFR"
  end
  return nil
end

function rule(event)
  -- kind(event), spelt out so that the engine tests it in Go (a guard).
  if not (TRANSFER[event.qtype_name] or event.qtype == 252 or event.qtype == 251) then
    return false
  end
  local src = event["id.orig_h"]
  return kind(event) ~= nil
    and not netmon.in_list(src, netmon.dns_transfer_peers)
    and not netmon.in_list(src, netmon.authorized_scanners)
end

function title(event)
  return string.format("Zone transfer (%s) of %s requested by %s from %s",
    kind(event), event.query or "?", event["id.orig_h"] or "?", event["id.resp_h"] or "?")
end

function dedup(event)
  return (event["id.orig_h"] or "?") .. "->" .. (event["id.resp_h"] or "?")
end

-- An answered transfer handed the zone over.
function severity(event)
  if event.rcode_name == "NOERROR" and not netmon.is_public(event["id.resp_h"]) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    source_where = netmon.where(event["id.orig_h"]),
    server = event["id.resp_h"],
    zone = event.query,
    transfer = kind(event),
    proto = event.proto,
    rcode = event.rcode_name,
    uid = event.uid,
  }
end
