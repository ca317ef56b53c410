local okta = require("okta")

-- The second factor passed: a signal for correlation rules.
function rule(event)
  return event.eventType == "user.authentication.auth_via_mfa"
    and event:get("outcome", "result") == "SUCCESS"
end

function title(event)
  return string.format("Okta MFA passed by %s from %s", okta.actor(event),
    event:get("client", "ipAddress") or "?")
end

function dedup(event)
  return okta.actor(event):lower()
end
