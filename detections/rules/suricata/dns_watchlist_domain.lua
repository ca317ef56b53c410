local netmon = require("netmon")

-- The DNS record's query names: rrname (EVE DNS formats 1 and 2) or the
-- queries list (format 3, Suricata 8).
local function names(event)
  local out = {}
  local rrname = event:get("dns", "rrname")
  if rrname ~= nil then
    out[1] = rrname
  end
  local queries = event:get("dns", "queries")
  if queries ~= nil then
    for _, q in ipairs(queries) do
      if q.rrname ~= nil then
        out[#out + 1] = q.rrname
      end
    end
  end
  return out
end

-- match returns the first watched name with its category and suffix.
local function match(event)
  for _, n in ipairs(names(event)) do
    local category, suffix = netmon.watchlist_match(n)
    if category then
      return netmon.normalise_name(n), category, suffix
    end
  end
  return nil
end

-- Queries go from the client; answers come back to it.
local function client(event)
  local kind = event:get("dns", "type")
  if kind == "answer" or kind == "response" then
    return event.dest_ip
  end
  return event.src_ip
end

function rule(event)
  return match(event) ~= nil
end

function title(event)
  local name, category = match(event)
  return string.format("%s resolved %s (%s)", client(event) or "?", name, category)
end

-- Query and answer of one lookup, and its repeats, join one alert.
function dedup(event)
  local name = match(event)
  return (client(event) or "?") .. ":" .. name
end

function severity(event)
  local _, category = match(event)
  return netmon.watchlist_severity[category] or "DEFAULT"
end

function alert_context(event)
  local name, category, suffix = match(event)
  return {
    source_ip = client(event),
    query = name,
    category = category,
    watchlist_entry = suffix,
    rrtype = event:get("dns", "rrtype") or event:get("dns", "queries", 1, "rrtype"),
    rcode = event:get("dns", "rcode"),
    answers = event:get("dns", "grouped"),
    flow_id = event.flow_id,
  }
end
