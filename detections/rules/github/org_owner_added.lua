local github = require("github")

-- The organisation role GitHub records as "admin" is the owner role.
local OWNER = "admin"

-- outcome returns "owner" when the event makes the user an owner,
-- "unknown" for a role change whose direction GitHub did not record, or
-- nil when the event grants no owner role.
local function outcome(event)
  local a, perm = event.action, event.permission
  if a == "business.add_admin" then
    return "enterprise owner"
  end
  if a == "org.add_member" then
    return perm == OWNER and "owner" or nil
  end
  if a == "org.update_member" then
    if perm == OWNER then
      return "owner"
    end
    if perm == nil then
      return "unknown"
    end
  end
  return nil
end

function rule(event)
  return outcome(event) ~= nil
end

local function user(event)
  local u = event.user
  if u == nil or u == "" then
    return "unknown user"
  end
  return u
end

function title(event)
  local o = outcome(event)
  if o == "unknown" then
    return string.format("GitHub org role of %s changed in %s by %s (owner grant or removal)",
      user(event), github.owner(event), github.actor(event))
  end
  return string.format("GitHub %s made %s of %s by %s", user(event), o, github.owner(event), github.actor(event))
end

function dedup(event)
  return github.owner(event) .. ":" .. user(event)
end

-- A role change without its direction may be a demotion: Medium.
function severity(event)
  if outcome(event) == "unknown" then
    return "Medium"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.target_user = user(event)
  ctx.permission = event.permission
  ctx.old_permission = event.old_permission
  return ctx
end
