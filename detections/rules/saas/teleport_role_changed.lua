local EVENTS = {["role.created"] = "created", ["role.updated"] = "updated"}

function rule(event)
  return EVENTS[event.event or ""] ~= nil
end

function title(event)
  return string.format("Teleport role %s %s by %s", event.name or "?", EVENTS[event.event], event.updated_by or event.user or "?")
end

function dedup(event)
  return event.name or "?"
end

function alert_context(event)
  return {user = event.user, role = event.name, code = event.code, cluster = event.cluster_name}
end
