local netmon = require("netmon")

function rule(event)
  return netmon.watchlist_match(event.query) ~= nil
end

local function name(event)
  return netmon.normalise_name(event.query)
end

function title(event)
  local category = netmon.watchlist_match(event.query)
  return string.format("%s resolved %s (%s)", event["id.orig_h"] or "?", name(event), category)
end

-- One client asking for one name: repeats of the lookup join one alert.
function dedup(event)
  return (event["id.orig_h"] or "?") .. ":" .. name(event)
end

function severity(event)
  local category = netmon.watchlist_match(event.query)
  return netmon.watchlist_severity[category] or "DEFAULT"
end

function alert_context(event)
  local category, suffix = netmon.watchlist_match(event.query)
  return {
    source_ip = event["id.orig_h"],
    resolver = event["id.resp_h"],
    query = name(event),
    category = category,
    watchlist_entry = suffix,
    qtype = event.qtype_name,
    rcode = event.rcode_name,
    answers = event.answers,
  }
end
