local function caller(event)
  return event:get("identity", "claims", "name") or "unknown"
end

function rule(event)
  local op = string.lower(event.operationName or "")
  return op == "microsoft.compute/virtualmachines/runcommand/action" or op == "microsoft.compute/virtualmachines/runcommands/write"
end

function title(event)
  local vm = string.match(event.resourceId or "", "[Vv][Ii][Rr][Tt][Uu][Aa][Ll][Mm][Aa][Cc][Hh][Ii][Nn][Ee][Ss]/([^/]+)") or "?"
  return string.format("Run Command on VM %s by %s", vm, caller(event))
end

function dedup(event)
  return event.resourceId or "?"
end

function alert_context(event)
  return {caller = caller(event), vm = event.resourceId, source_ip = event.callerIpAddress, result = event.resultType}
end
