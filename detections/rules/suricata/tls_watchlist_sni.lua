local netmon = require("netmon")

function rule(event)
  return netmon.watchlist_match(event:get("tls", "sni")) ~= nil
end

local function sni(event)
  return netmon.normalise_name(event:get("tls", "sni"))
end

function title(event)
  local category = netmon.watchlist_match(event:get("tls", "sni"))
  return string.format("%s connected over TLS to %s (%s)", event.src_ip or "?", sni(event), category)
end

function dedup(event)
  return (event.src_ip or "?") .. ":" .. sni(event)
end

function severity(event)
  local category = netmon.watchlist_match(event:get("tls", "sni"))
  return netmon.watchlist_severity[category] or "DEFAULT"
end

function alert_context(event)
  local category, suffix = netmon.watchlist_match(event:get("tls", "sni"))
  return {
    source_ip = event.src_ip,
    server = netmon.endpoint(event.dest_ip, event.dest_port),
    sni = sni(event),
    category = category,
    watchlist_entry = suffix,
    subject = event:get("tls", "subject"),
    issuer = event:get("tls", "issuerdn"),
    ja3 = event:get("tls", "ja3", "hash"),
    ja4 = event:get("tls", "ja4"),
    flow_id = event.flow_id,
  }
end
