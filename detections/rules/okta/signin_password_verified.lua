local okta = require("okta")

-- A verified password: a signal for correlation rules, not an alert.
function rule(event)
  return event.eventType == "user.authentication.verify"
    and event:get("outcome", "result") == "SUCCESS"
end

function title(event)
  return string.format("Okta password of %s verified from %s", okta.actor(event),
    event:get("client", "ipAddress") or "?")
end

function dedup(event)
  return okta.actor(event):lower()
end
