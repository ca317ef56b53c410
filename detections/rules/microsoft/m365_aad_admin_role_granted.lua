local microsoft = require("microsoft")

local function role(event)
  return microsoft.modified(event, "Role.DisplayName") or "unknown role"
end

function rule(event)
  if event.Operation ~= "Add member to role." and event.Operation ~= "Add eligible member to role." then
    return false
  end
  return microsoft.privileged_roles[string.lower(role(event))] == true
end

function title(event)
  return string.format("%s granted %s to %s", microsoft.user(event), role(event), event.ObjectId or "unknown user")
end

function dedup(event)
  return (event.ObjectId or "unknown") .. ":" .. role(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.role = role(event)
  ctx.target_user = event.ObjectId
  return ctx
end
