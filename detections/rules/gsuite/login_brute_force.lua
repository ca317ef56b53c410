local gsuite = require("gsuite")

function rule(event)
  return gsuite.app(event) == "login" and event.name == "login_failure"
end

function title(event)
  return "Google Workspace login failures for " .. gsuite.actor(event)
end

function dedup(event)
  return string.lower(gsuite.actor(event))
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.failure_type = gsuite.param(event, "login_failure_type")
  return ctx
end
