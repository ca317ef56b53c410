local web = require("web")

-- The opening status test is checked in Go before Lua runs (a guard):
-- most lines are not 401 or 403 and cost nothing here.
function rule(event)
  return (event.status == 401 or event.status == 403) and not web.is_authorized_scanner(event)
end

function title(event)
  local who = ""
  if event.remote_user ~= nil then
    who = " (user " .. event.remote_user .. ")"
  end
  return string.format("Burst of HTTP 401/403 responses to %s%s, first on %s", web.client(event), who,
    web.short(web.raw_path(event), 80))
end

function dedup(event)
  return web.client(event)
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.path = web.raw_path(event)
  return ctx
end
