local okta = require("okta")

-- A successful sign-in. The engine keeps the countries seen (FirstSeen in
-- the spec): the rule matches only for one no sign-in came from before.
function rule(event)
  return event.eventType == "user.session.start"
    and event:get("outcome", "result") == "SUCCESS"
    and event:get("client", "geographicalContext", "country") ~= nil
end

function title(event)
  return string.format("Okta sign-in by %s from %s, a country no one signed in from in 30 days",
    okta.actor(event), event:get("client", "geographicalContext", "country"))
end

function alert_context(event)
  return {
    user = okta.actor(event),
    country = event:get("client", "geographicalContext", "country"),
    city = event:get("client", "geographicalContext", "city"),
    source_ip = event:get("client", "ipAddress"),
    isp = event:get("securityContext", "isp"),
    as_org = event:get("securityContext", "asOrg"),
  }
end
