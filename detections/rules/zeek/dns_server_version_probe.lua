local netmon = require("netmon")

-- The CHAOS-class names that make a server tell its software, version or
-- instance name (BIND, Unbound, Knot, PowerDNS; RFC 4892 for id.server).
local PROBES = {
  ["version.bind"] = true, ["hostname.bind"] = true, ["authors.bind"] = true,
  ["id.server"] = true, ["version.server"] = true,
}

local function name(event)
  return netmon.normalise_name(event.query)
end

-- The class test opens the rule on its own, so that the engine checks it
-- in Go before calling Lua (a guard): almost every query is C_INTERNET.
function rule(event)
  if not (event.qclass_name == "C_CHAOS" or event.qclass == 3) then
    return false
  end
  return PROBES[name(event)] == true
    and not netmon.in_list(event["id.orig_h"], netmon.authorized_scanners)
end

function title(event)
  return string.format("DNS server fingerprinting (%s) by %s",
    name(event), event["id.orig_h"] or "?")
end

-- A scanner probes every server it finds: one alert per scanner.
function dedup(event)
  return event["id.orig_h"] or "?"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    source_where = netmon.where(event["id.orig_h"]),
    first_server = event["id.resp_h"],
    probe = name(event),
    rcode = event.rcode_name,
    answers = event.answers,
  }
end
