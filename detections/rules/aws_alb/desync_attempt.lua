function rule(event)
  return event.classification == "Severe"
end

-- The site attacked: the TLS server name, else the request's host; the
-- load balancer's name when the request was too malformed to have one.
local function host(event)
  return event.domainName or (event.requestUrl or ""):match("^%a+://([^/:]+)")
    or (event.elb or ""):match("^app/([^/]+)") or event.elb or "?"
end

function title(event)
  return string.format("HTTP desync (request smuggling) attempt from %s against %s: %s",
    event.clientIp or "?", host(event), event.classificationReason or "?")
end

function dedup(event)
  return (event.elb or "?") .. ":" .. (event.clientIp or "?")
end

function alert_context(event)
  return {
    source_ip = event.clientIp,
    load_balancer = event.elb,
    domain = host(event),
    method = event.requestHttpMethod,
    url = event.requestUrl,
    user_agent = event.userAgent,
    classification_reason = event.classificationReason,
    elb_status = event.elbStatusCode,
    target_status = event.targetStatusCode,
    trace_id = event.traceId,
  }
end
