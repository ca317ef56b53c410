local ACTIONS = {user_granted_role = true, user_added_to_group = true, group_role_granted = true}

-- context returns the attributes of the first context entry of a type.
local function context(event, kind)
  local ctx = event:get("attributes", "context")
  if type(ctx) ~= "table" then
    return nil
  end
  for _, c in ipairs(ctx) do
    if c.type == kind then
      return c.attributes
    end
  end
  return nil
end

local function role(event)
  local r = context(event, "roles") or context(event, "groups")
  return (r and r.name) or ""
end

function rule(event)
  if not ACTIONS[event:get("attributes", "action") or ""] then
    return false
  end
  local r = string.lower(role(event))
  return string.find(r, "admin", 1, true) ~= nil
end

function title(event)
  return string.format("Atlassian: %s (by %s)", event:get("message", "content") or event:get("attributes", "action"), event:get("attributes", "actor", "email") or "?")
end

function dedup(event)
  local u = context(event, "users")
  return ((u and u.email) or "?") .. ":" .. role(event)
end

function alert_context(event)
  local u = context(event, "users")
  return {actor = event:get("attributes", "actor", "email"), target = u and u.email, role = role(event), source_ip = event:get("attributes", "location", "ip")}
end
