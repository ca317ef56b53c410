function rule(event)
  return event.EVENT_TYPE == "LoginAs"
end

function title(event)
  return string.format("%s logged in to Salesforce as user %s", event.DELEGATED_USER_NAME or event.DELEGATED_USER_ID or "?", event.USER_ID or "?")
end

function dedup(event)
  return (event.DELEGATED_USER_NAME or event.DELEGATED_USER_ID or "?") .. ":" .. (event.USER_ID or "?")
end

function alert_context(event)
  return {admin = event.DELEGATED_USER_NAME, user_id = event.USER_ID, source_ip = event.CLIENT_IP, session = event.SESSION_KEY}
end
