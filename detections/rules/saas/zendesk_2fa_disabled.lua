function rule(event)
  local label = string.lower(event.source_label or "")
  return event.source_type == "account_setting" and (string.find(label, "two-factor", 1, true) ~= nil or string.find(label, "2fa", 1, true) ~= nil)
    and string.lower(event.change_description or "") == "disabled"
end

function title(event)
  return "Zendesk two-factor requirement disabled by " .. (event.actor_name or tostring(event.actor_id))
end

function dedup(event)
  return event.source_label
end

function alert_context(event)
  return {actor = event.actor_name, actor_id = event.actor_id, setting = event.source_label, source_ip = event.ip_address}
end
