local web = require("web")

-- event.status == 404 opens the rule: a guard, checked in Go.
function rule(event)
  return event.status == 404 and not web.is_authorized_scanner(event)
end

function title(event)
  return string.format("Burst of 404s from %s (forced browsing)", web.client(event))
end

function dedup(event)
  return web.client(event)
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.path = web.raw_path(event)
  return ctx
end
