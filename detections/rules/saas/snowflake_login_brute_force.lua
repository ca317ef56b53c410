function rule(event)
  return event.EVENT_TYPE == "LOGIN" and event.IS_SUCCESS == "NO"
end

function title(event)
  return "Snowflake login failures for " .. (event.USER_NAME or "?")
end

function dedup(event)
  return event.USER_NAME or "?"
end

function alert_context(event)
  return {user = event.USER_NAME, source_ip = event.CLIENT_IP, error = event.ERROR_MESSAGE, client = event.REPORTED_CLIENT_TYPE}
end
