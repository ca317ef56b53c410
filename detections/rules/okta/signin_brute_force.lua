local okta = require("okta")

-- Counted per client address: one address failing for many users is a
-- password spray, for one user a brute force; both show here.
function rule(event)
  if event.eventType ~= "user.session.start" or event:get("outcome", "result") ~= "FAILURE" then
    return false
  end
  local ip = okta.ip(event)
  return ip ~= nil and not okta.is_trusted_network(ip)
end

function title(event)
  local org = event:get("securityContext", "asOrg")
  if org ~= nil and org ~= "" then
    return string.format("Okta sign-in failures from %s (%s)", okta.ip(event), org)
  end
  return string.format("Okta sign-in failures from %s", okta.ip(event))
end

function dedup(event)
  return okta.ip(event)
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.user_tried = okta.actor(event)
  ctx.threat_suspected = okta.debug(event, "threatSuspected")
  return ctx
end
