local k8s = require("k8s")

local function scope(event)
  return event:get("objectRef", "namespace") or "all namespaces"
end

function rule(event)
  if k8s.resource(event) ~= "secrets" or (event.verb ~= "list" and event.verb ~= "watch") then
    return false
  end
  return k8s.allowed(event) and not k8s.is_system(event) and not k8s.matches(k8s.secret_readers, k8s.user(event))
end

function title(event)
  return string.format("Secrets of %s listed by %s", scope(event), k8s.user(event))
end

function dedup(event)
  return k8s.user(event) .. ":" .. scope(event)
end

function severity(event)
  if event:get("objectRef", "namespace") == nil then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return k8s.context(event)
end
