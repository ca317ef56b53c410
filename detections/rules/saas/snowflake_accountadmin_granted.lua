local function grant(event)
  local q = string.upper(event.QUERY_TEXT or "")
  local role, grantee = string.match(q, "GRANT%s+ROLE%s+(%S+)%s+TO%s+(%a+%s+%S+)")
  if role == "ACCOUNTADMIN" or role == "SECURITYADMIN" then
    return role, (string.gsub(grantee, ";$", ""))
  end
  return nil
end

function rule(event)
  return event.EXECUTION_STATUS == "SUCCESS" and grant(event) ~= nil
end

function title(event)
  local role, grantee = grant(event)
  return string.format("Snowflake %s granted to %s by %s", role, grantee, event.USER_NAME or "?")
end

function dedup(event)
  local role, grantee = grant(event)
  return role .. ":" .. grantee
end

function alert_context(event)
  local role, grantee = grant(event)
  return {user = event.USER_NAME, acting_role = event.ROLE_NAME, role = role, grantee = grantee}
end
