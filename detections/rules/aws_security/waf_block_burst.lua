function rule(event)
  return event.action == "BLOCK"
end

function title(event)
  return string.format("AWS WAF blocked many requests from %s (%s)", event:get("httpRequest", "clientIp") or "?", event:get("httpRequest", "country") or "?")
end

function dedup(event)
  return event:get("httpRequest", "clientIp") or "?"
end

function alert_context(event)
  return {
    client_ip = event:get("httpRequest", "clientIp"),
    rule = event.terminatingRuleId,
    uri = event:get("httpRequest", "uri"),
    web_acl = event.webaclId,
  }
end
