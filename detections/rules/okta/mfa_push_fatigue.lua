local okta = require("okta")

-- A user tapping "No, it's not me" on an Okta Verify push.
local DENIALS = {
  ["user.mfa.okta_verify.deny_push"] = true,
  ["user.mfa.okta_verify.deny_push_upgrade_needed"] = true,
}

function rule(event)
  return DENIALS[event.eventType] == true
end

local function user(event)
  return okta.actor(event)
end

function title(event)
  return string.format("Okta Verify pushes repeatedly denied by %s", user(event))
end

function dedup(event)
  return user(event):lower()
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.target_user = user(event)
  return ctx
end
