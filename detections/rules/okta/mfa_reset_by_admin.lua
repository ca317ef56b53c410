local okta = require("okta")

local RESETS = {
  ["user.mfa.factor.reset_all"] = "all MFA factors reset",
  ["user.mfa.factor.deactivate"] = "an MFA factor reset",
}

local function lower(s)
  return (s or ""):lower()
end

function rule(event)
  if RESETS[event.eventType] == nil or okta.failed(event) then
    return false
  end
  local target = okta.target_user(event)
  -- A user removing their own factor (a lost phone, a new key) is routine.
  return target ~= nil and lower(target) ~= lower(okta.actor(event))
end

function title(event)
  return string.format("Okta %s for %s by %s", RESETS[event.eventType],
    okta.target_user(event), okta.actor(event))
end

function dedup(event)
  return lower(okta.target_user(event))
end

-- Resetting every factor leaves the account protected by its password
-- alone until the next enrolment, which anyone holding the password makes.
function severity(event)
  if event.eventType == "user.mfa.factor.reset_all" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.target_user = okta.target_user(event)
  ctx.factor = event:get("outcome", "reason")
  return ctx
end
