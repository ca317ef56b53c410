local netmon = require("netmon")

function rule(event)
  return netmon.watchlist_match(event.server_name) ~= nil
end

local function sni(event)
  return netmon.normalise_name(event.server_name)
end

function title(event)
  local category = netmon.watchlist_match(event.server_name)
  return string.format("%s connected over TLS to %s (%s)", event["id.orig_h"] or "?", sni(event), category)
end

function dedup(event)
  return (event["id.orig_h"] or "?") .. ":" .. sni(event)
end

function severity(event)
  local category = netmon.watchlist_match(event.server_name)
  return netmon.watchlist_severity[category] or "DEFAULT"
end

function alert_context(event)
  local category, suffix = netmon.watchlist_match(event.server_name)
  return {
    source_ip = event["id.orig_h"],
    server = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    server_name = sni(event),
    category = category,
    watchlist_entry = suffix,
    established = event.established,
    ja3 = event.ja3,
    validation_status = event.validation_status,
  }
end
