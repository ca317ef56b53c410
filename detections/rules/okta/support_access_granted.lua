local okta = require("okta")

local EVENTS = {
  ["user.session.impersonation.grant"] = "grant",
  ["user.session.impersonation.initiate"] = "initiate",
}

function rule(event)
  return EVENTS[event.eventType] ~= nil and not okta.failed(event)
end

function title(event)
  if EVENTS[event.eventType] == "initiate" then
    local as = okta.target_user(event)
    if as ~= nil then
      return string.format("Okta Support session started by %s as %s", okta.actor(event), as)
    end
    return string.format("Okta Support session started by %s", okta.actor(event))
  end
  return string.format("Okta Support access to the org granted by %s", okta.actor(event))
end

-- A grant and the support sessions that follow it are one story.
function dedup(event)
  return "okta-support-access"
end

-- A grant opens the door; a session means Okta staff are inside.
function severity(event)
  if EVENTS[event.eventType] == "initiate" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.impersonated_user = okta.target_user(event)
  ctx.step = EVENTS[event.eventType]
  return ctx
end
