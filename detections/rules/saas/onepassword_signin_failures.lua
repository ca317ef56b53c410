local FAILED = {credentials_failed = true, mfa_failed = true, sso_failed = true, firewall_failed = true}

function rule(event)
  return FAILED[event.category or ""] == true
end

function title(event)
  return "1Password sign-in failures for " .. (event:get("target_user", "email") or "?")
end

function dedup(event)
  return event:get("target_user", "email") or "?"
end

function alert_context(event)
  return {user = event:get("target_user", "email"), source_ip = event:get("client", "ip_address"), country = event.country, failure = event.type}
end
