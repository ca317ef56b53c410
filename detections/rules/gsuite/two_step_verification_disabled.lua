local gsuite = require("gsuite")

local function scope(event)
  return gsuite.param(event, "ORG_UNIT_NAME") or gsuite.actor(event)
end

function rule(event)
  local name = event.name
  if gsuite.app(event) == "login" then
    return name == "2sv_disable"
  end
  if gsuite.app(event) ~= "admin" then
    return false
  end
  local new = tostring(gsuite.param(event, "NEW_VALUE"))
  if name == "ENFORCE_STRONG_AUTHENTICATION" then
    return new == "false"
  end
  return name == "TOGGLE_SERVICE_ENABLED" and gsuite.param(event, "SERVICE_NAME") == "2-Step Verification" and new == "false"
end

function title(event)
  return string.format("2-Step Verification weakened by %s (%s for %s)", gsuite.actor(event), event.name, scope(event))
end

function dedup(event)
  return event.name .. ":" .. scope(event)
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.scope = scope(event)
  return ctx
end
