function rule(event)
  local what = string.lower(event.audit_log_event or "")
  return string.sub(what, 1, 8) == "disable " or string.sub(what, 1, 7) == "delete " or string.find(what, "disabled", 1, true) ~= nil
end

function title(event)
  return string.format("Netskope: %s by %s", event.audit_log_event, event.user or "?")
end

function dedup(event)
  return (event.user or "?") .. ":" .. event.audit_log_event
end

function alert_context(event)
  return {user = event.user, change = event.audit_log_event, target = event:get("supporting_data", "data_values")}
end
