local FAILURES = {f = true, fp = true, fu = true, fcoa = true, fcpro = true}

function rule(event)
  return FAILURES[event:get("data", "type") or ""] == true and event:get("data", "ip") ~= nil
end

function title(event)
  return "Auth0 login failures from " .. event:get("data", "ip")
end

function dedup(event)
  return event:get("data", "ip")
end

function alert_context(event)
  return {source_ip = event:get("data", "ip"), user_tried = event:get("data", "user_name"), type = event:get("data", "type"), client = event:get("data", "client_name")}
end
