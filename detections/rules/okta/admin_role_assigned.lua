local okta = require("okta")

-- Events Okta writes when an administrator role is given to a user or to a
-- group (every member of the group then holds the role).
local GRANTS = {
  ["user.account.privilege.grant"] = "User",
  ["group.privilege.grant"] = "UserGroup",
}

function rule(event)
  return GRANTS[event.eventType] ~= nil and not okta.failed(event)
end

local function grantee(event)
  local kind = GRANTS[event.eventType]
  local t = okta.target(event, kind)
  if kind == "User" then
    return okta.target_user(event) or "unknown user"
  end
  return okta.name(t) or "unknown group"
end

local function roles(event)
  return okta.debug(event, "privilegeGranted") or "an admin role"
end

function title(event)
  local who = grantee(event)
  if event.eventType == "group.privilege.grant" then
    who = "group " .. who
  end
  return string.format("Okta %s granted to %s by %s", roles(event), who, okta.actor(event))
end

-- Repeated grants to one user or group join one alert.
function dedup(event)
  return grantee(event)
end

-- Super and organization administrators can change every policy and every
-- user; read-only administrators can change nothing.
function severity(event)
  local r = roles(event):lower()
  if r:find("super admin", 1, true) or r:find("organization admin", 1, true) then
    return "High"
  end
  if r:find("read only admin", 1, true) or r:find("read-only admin", 1, true) then
    if not r:find(",", 1, true) then
      return "Low"
    end
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.grantee = grantee(event)
  ctx.grantee_type = GRANTS[event.eventType]
  ctx.roles = roles(event)
  return ctx
end
