local netmon = require("netmon")

-- Record types that carry data back to the client: two-way tunnels
-- (iodine, dnscat2, DNS beacons) use them.
local DATA_TYPES = { TXT = true, NULL = true, CNAME = true, MX = true, PRIVATE = true }

function rule(event)
  local q = event.query
  return netmon.encoded_label(q) ~= nil
    and netmon.suffix_in(q, netmon.dns_encoded_name_allowed) == nil
end

local function domain(event)
  return netmon.registered_domain(event.query) or "?"
end

function title(event)
  return string.format("DNS names carrying encoded data from %s under %s",
    event["id.orig_h"] or "?", domain(event))
end

-- One client talking to one domain: the tunnel.
function dedup(event)
  return (event["id.orig_h"] or "?") .. ":" .. domain(event)
end

function severity(event)
  if DATA_TYPES[event.qtype_name] then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local label = netmon.encoded_label(event.query) or ""
  return {
    source_ip = event["id.orig_h"],
    resolver = event["id.resp_h"],
    domain = domain(event),
    query = event.query,
    qtype = event.qtype_name,
    rcode = event.rcode_name,
    encoded_label_length = #label,
    encoded_label_entropy = math.floor(netmon.entropy(label) * 100 + 0.5) / 100,
  }
end
