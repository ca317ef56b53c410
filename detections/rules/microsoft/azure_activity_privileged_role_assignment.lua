local ROLES = {
  ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
  ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
  ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
}

local function request(event)
  local body = event:get("properties", "requestbody")
  if type(body) ~= "string" then
    return {}
  end
  local ok, v = pcall(json.decode, body)
  if not ok or type(v) ~= "table" then
    return {}
  end
  return v.Properties or v.properties or {}
end

local function role(event)
  local id = request(event).RoleDefinitionId or ""
  return ROLES[string.lower(string.match(id, "([^/]+)$") or "")]
end

local function caller(event)
  return event:get("identity", "claims", "name") or event.caller or "unknown"
end

local function scope(event)
  return request(event).Scope or event.resourceId or "?"
end

function rule(event)
  local op = string.lower(event.operationName or "")
  if op ~= "microsoft.authorization/roleassignments/write" then
    return false
  end
  local result = string.lower(tostring(event.resultType or ""))
  return (result == "success" or result == "succeeded") and role(event) ~= nil
end

function title(event)
  return string.format("Azure %s role assigned by %s at %s", role(event), caller(event), scope(event))
end

function dedup(event)
  return (request(event).PrincipalId or "?") .. ":" .. role(event) .. ":" .. scope(event)
end

function alert_context(event)
  return {
    caller = caller(event),
    role = role(event),
    principal_id = request(event).PrincipalId,
    scope = scope(event),
    source_ip = event.callerIpAddress,
  }
end
