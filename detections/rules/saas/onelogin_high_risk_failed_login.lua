function rule(event)
  return tonumber(event.event_type_id) == 6 and (tonumber(event.risk_score) or 0) >= 50
end

function title(event)
  return string.format("OneLogin high-risk failed login for %s from %s (risk %d)", event.user_name or "?", event.ipaddr or "?", tonumber(event.risk_score))
end

function dedup(event)
  return tostring(event.user_id) .. ":" .. (event.ipaddr or "?")
end

function alert_context(event)
  return {user = event.user_name, source_ip = event.ipaddr, risk_score = event.risk_score, risk_reasons = event.risk_reasons}
end
