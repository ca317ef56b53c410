local function caller(event)
  return event:get("identity", "claims", "name") or "unknown"
end

local function account(event)
  return string.match(event.resourceId or "", "[Ss][Tt][Oo][Rr][Aa][Gg][Ee][Aa][Cc][Cc][Oo][Uu][Nn][Tt][Ss]/([^/]+)") or "?"
end

function rule(event)
  local result = string.lower(tostring(event.resultType or ""))
  return string.lower(event.operationName or "") == "microsoft.storage/storageaccounts/listkeys/action"
    and (result == "success" or result == "succeeded")
end

function title(event)
  return string.format("Keys of storage account %s listed by %s", account(event), caller(event))
end

function dedup(event)
  return account(event) .. ":" .. caller(event)
end

function alert_context(event)
  return {caller = caller(event), storage_account = account(event), source_ip = event.callerIpAddress}
end
