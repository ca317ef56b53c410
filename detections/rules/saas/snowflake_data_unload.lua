local TYPES = {UNLOAD = true, GET_FILES = true}

function rule(event)
  return TYPES[event.QUERY_TYPE or ""] == true and event.EXECUTION_STATUS == "SUCCESS"
end

function title(event)
  local rows = tonumber(event.ROWS_UNLOADED) or tonumber(event.ROWS_PRODUCED)
  if rows ~= nil then
    return string.format("Snowflake %s by %s (%d rows)", event.QUERY_TYPE, event.USER_NAME or "?", rows)
  end
  return string.format("Snowflake %s by %s", event.QUERY_TYPE, event.USER_NAME or "?")
end

function dedup(event)
  return (event.USER_NAME or "?") .. ":" .. event.QUERY_TYPE
end

function severity(event)
  if (tonumber(event.ROWS_UNLOADED) or 0) > 1000000 then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {user = event.USER_NAME, role = event.ROLE_NAME, warehouse = event.WAREHOUSE_NAME, query = string.sub(event.QUERY_TEXT or "", 1, 500), rows = event.ROWS_UNLOADED}
end
