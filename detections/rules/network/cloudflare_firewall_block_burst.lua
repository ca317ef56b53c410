local BLOCKING = {block = true, challenge = true, jschallenge = true, managed_challenge = true, drop = true, connectionClose = true}

function rule(event)
  return BLOCKING[event.Action or ""] == true
end

function title(event)
  return string.format("Cloudflare blocked many requests from %s (%s)", event.ClientIP or "?", event.ClientCountry or "?")
end

function dedup(event)
  return event.ClientIP or "?"
end

function alert_context(event)
  return {
    client_ip = event.ClientIP,
    asn = event.ClientASNDescription,
    source = event.Source,
    rule = event.RuleID,
    description = event.Description,
    host = event.ClientRequestHost,
    path = event.ClientRequestPath,
  }
end
