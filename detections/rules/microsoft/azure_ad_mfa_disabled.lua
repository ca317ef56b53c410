local microsoft = require("microsoft")

local OPS = {
  ["Disable Strong Authentication"] = true,
  ["Admin deleted security info"] = true,
  ["User deleted security info"] = true,
  ["Delete authentication method"] = true,
}

-- emptied tells an Update user that empties a StrongAuthentication*
-- property.
local function emptied(event)
  for _, name in ipairs({"StrongAuthenticationRequirement", "StrongAuthenticationMethod"}) do
    local v = microsoft.target_modified(event, name)
    if v ~= nil and (v == "[]" or v == "") then
      return true
    end
  end
  return false
end

local function target(event)
  local t = microsoft.target(event, "User")
  return (t and t.userPrincipalName) or "unknown user"
end

function rule(event)
  local op = event.operationName
  if OPS[op] then
    return true
  end
  return op == "Update user" and emptied(event)
end

function title(event)
  return string.format("MFA weakened for %s by %s (%s)", target(event), microsoft.initiator(event), event.operationName)
end

function dedup(event)
  return target(event) .. ":" .. event.operationName
end

function alert_context(event)
  local ctx = microsoft.azure_context(event)
  ctx.target_user = target(event)
  ctx.initiator = microsoft.initiator(event)
  return ctx
end
