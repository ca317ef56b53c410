local gsuite = require("gsuite")

local EVENTS = {ASSIGN_ROLE = true, GRANT_ADMIN_PRIVILEGE = true, CHANGE_ADMIN_ROLE = true}

local function role(event)
  return gsuite.param(event, "ROLE_NAME") or gsuite.param(event, "NEW_VALUE") or "admin"
end

local function user(event)
  return gsuite.param(event, "USER_EMAIL") or "unknown user"
end

function rule(event)
  return gsuite.app(event) == "admin" and EVENTS[event.name] == true
end

function title(event)
  return string.format("Google Workspace role %s assigned to %s by %s", role(event), user(event), gsuite.actor(event))
end

function dedup(event)
  return user(event) .. ":" .. role(event)
end

function severity(event)
  if role(event) == "_SEED_ADMIN_ROLE" or role(event) == "Super Admin" then
    return "High"
  end
  return "Medium"
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.role = role(event)
  ctx.target_user = user(event)
  return ctx
end
