local function target(event)
  local ctx = event:get("attributes", "context")
  if type(ctx) == "table" then
    for _, c in ipairs(ctx) do
      if c.type == "users" and c.attributes ~= nil then
        return c.attributes.email or c.attributes.name
      end
    end
  end
  return "?"
end

function rule(event)
  return event:get("attributes", "action") == "user_logged_in_as_user"
end

function title(event)
  return string.format("%s logged in to Atlassian as %s", event:get("attributes", "actor", "email") or "?", target(event))
end

function dedup(event)
  return (event:get("attributes", "actor", "email") or "?") .. ":" .. target(event)
end

function alert_context(event)
  return {actor = event:get("attributes", "actor", "email"), target = target(event), source_ip = event:get("attributes", "location", "ip")}
end
