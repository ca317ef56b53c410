local web = require("web")

-- Statuses that mean the server could not reach or get an answer from
-- what is behind it: the whole site or upstream is failing, not one page.
local UPSTREAM = {
  [502] = "bad gateway",
  [503] = "service unavailable",
  [504] = "gateway timeout",
}

-- The status test reads the field itself (not web.status) so that the
-- engine checks it in Go before calling Lua (a guard).
function rule(event)
  return (event.status or 0) >= 500 and (event.status or 0) < 600 and not web.is_authorized_scanner(event)
end

-- site is the source label given to the log stream (--label, or the
-- source's label live), so that two sites' errors do not join.
local function site(event)
  local label = event.p_source_label
  if label ~= nil and label ~= "" then
    return label
  end
  return nil
end

function title(event)
  local s = web.status(event)
  local where = ""
  if site(event) then
    where = " on " .. site(event)
  end
  if UPSTREAM[s] then
    return string.format("Burst of HTTP %d responses (%s)%s", s, UPSTREAM[s], where)
  end
  return string.format("Burst of HTTP %d errors on %s%s", s, web.short(web.raw_path(event), 80), where)
end

-- Upstream failures group by status (an outage is one alert, whatever the
-- paths); application errors by path (the broken endpoint).
function dedup(event)
  local s = web.status(event)
  local key
  if UPSTREAM[s] then
    key = "upstream:" .. s
  else
    key = s .. ":" .. web.path(event)
  end
  if site(event) then
    key = site(event) .. ":" .. key
  end
  return key
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.path = web.raw_path(event)
  ctx.upstream_failure = UPSTREAM[web.status(event)] ~= nil
  return ctx
end
