local okta = require("okta")

local CHANGES = {
  ["system.idp.lifecycle.create"] = "created",
  ["system.idp.lifecycle.update"] = "changed",
  ["system.idp.lifecycle.activate"] = "activated",
}

function rule(event)
  return CHANGES[event.eventType] ~= nil and not okta.failed(event)
end

local function idp(event)
  return okta.name(okta.target(event, "IdentityProvider")) or okta.name(event:get("target", 1)) or "unknown"
end

function title(event)
  return string.format("Okta identity provider %s %s by %s", idp(event), CHANGES[event.eventType], okta.actor(event))
end

function dedup(event)
  return idp(event)
end

-- A new identity provider can sign in as any user it is routed to; a
-- change to an existing one is usually a certificate rotation.
function severity(event)
  if event.eventType == "system.idp.lifecycle.update" then
    return "DEFAULT"
  end
  return "High"
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.identity_provider = idp(event)
  ctx.idp_id = event:get("target", 1, "id")
  ctx.idp_type = event:get("target", 1, "detailEntry", "type")
  return ctx
end
