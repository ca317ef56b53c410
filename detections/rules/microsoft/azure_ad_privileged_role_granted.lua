local microsoft = require("microsoft")

local OPS = {["Add member to role"] = true, ["Add eligible member to role"] = true,
  ["Add member to role completed (PIM activation)"] = true}

local function role(event)
  return microsoft.target_modified(event, "Role.DisplayName") or "unknown role"
end

local function member(event)
  local t = microsoft.target(event, "User") or microsoft.target(event, "ServicePrincipal")
  return (t and (t.userPrincipalName or t.displayName)) or "unknown member"
end

function rule(event)
  return OPS[event.operationName] == true and microsoft.privileged_roles[string.lower(role(event))] == true
end

function title(event)
  return string.format("%s granted %s to %s", microsoft.initiator(event), role(event), member(event))
end

function dedup(event)
  return member(event) .. ":" .. role(event)
end

function alert_context(event)
  local ctx = microsoft.azure_context(event)
  ctx.role = role(event)
  ctx.member = member(event)
  ctx.initiator = microsoft.initiator(event)
  return ctx
end
