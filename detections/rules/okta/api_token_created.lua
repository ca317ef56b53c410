local okta = require("okta")

function rule(event)
  return event.eventType == "system.api_token.create" and not okta.failed(event)
end

local function token(event)
  return okta.name(okta.target(event, "Token")) or "unnamed"
end

function title(event)
  return string.format("Okta API token %s created by %s", token(event), okta.actor(event))
end

-- Tokens made by one admin in a row join one alert.
function dedup(event)
  return okta.actor(event)
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.token_name = token(event)
  ctx.token_id = event:get("target", 1, "id")
  return ctx
end
