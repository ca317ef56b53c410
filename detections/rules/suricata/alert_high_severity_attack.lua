local netmon = require("netmon")

-- Severity 1 signatures of attacks that the IPS let through. Malware and
-- C2 are Suricata.Alert.MalwareActivity; policy, informational and decoder
-- signatures are not attacks.
function rule(event)
  return event:get("alert", "severity") == 1
    and event:get("alert", "action") ~= "blocked"
    and not netmon.suricata_malware(event)
    and not netmon.suricata_noise(event)
    and not netmon.in_list(event.src_ip, netmon.authorized_scanners)
end

local function sig(event)
  return event:get("alert", "signature") or "?"
end

-- Suricata names the attacker and the target when the signature says
-- which is which (alert.source and alert.target, Suricata 5 and later);
-- otherwise src and dest are the alerting packet's direction, which for a
-- response signature is the victim answering.
local function sides(event)
  local s, t = event:get("alert", "source", "ip"), event:get("alert", "target", "ip")
  if s ~= nil and t ~= nil then
    return s, t, event:get("alert", "target", "port"), true
  end
  return event.src_ip, event.dest_ip, event.dest_port, false
end

function title(event)
  local s, t, port, known = sides(event)
  if known then
    return string.format("%s from %s %s against %s", sig(event), netmon.where(s), s, netmon.endpoint(t, port))
  end
  return string.format("%s (%s %s -> %s)", sig(event), netmon.where(s), s or "?", netmon.endpoint(t, port))
end

-- One exchange between two hosts, whichever way the alerting packets
-- went: a scan that fires fifty web signatures at one server, or an
-- exploit and the victim's response, is one alert whose events list them.
function dedup(event)
  local a, b = event.src_ip or "?", event.dest_ip or "?"
  if b < a then
    return b .. "<->" .. a
  end
  return a .. "<->" .. b
end

function alert_context(event)
  return {
    signature = sig(event),
    signature_id = event:get("alert", "signature_id"),
    category = event:get("alert", "category"),
    action = event:get("alert", "action"),
    source = netmon.endpoint(event.src_ip, event.src_port),
    source_where = netmon.where(event.src_ip),
    destination = netmon.endpoint(event.dest_ip, event.dest_port),
    attacker = event:get("alert", "source", "ip"),
    target = event:get("alert", "target", "ip"),
    app_proto = event.app_proto,
    http_host = event:get("http", "hostname"),
    url = event:get("http", "url"),
    http_method = event:get("http", "http_method"),
    http_status = event:get("http", "status"),
    user_agent = event:get("http", "http_user_agent"),
    flow_id = event.flow_id,
  }
end
