local REMOVED = {[24] = true, [172] = true}

local function factor(event)
  return event.otp_device_name or event.authentication_factor_description or "a factor"
end

function rule(event)
  return REMOVED[tonumber(event.event_type_id)] == true
end

function title(event)
  return string.format("OneLogin factor %s removed from %s by %s", factor(event), event.user_name or "?", event.actor_user_name or event.actor_system or "?")
end

function dedup(event)
  return tostring(event.user_id) .. ":" .. factor(event)
end

function alert_context(event)
  return {user = event.user_name, actor = event.actor_user_name, factor = factor(event), source_ip = event.ipaddr,
    by_admin = event.actor_user_id ~= nil and event.actor_user_id ~= event.user_id}
end
