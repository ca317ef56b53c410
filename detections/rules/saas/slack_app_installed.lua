local READ = {["channels:history"] = true, ["groups:history"] = true, ["im:history"] = true, ["mpim:history"] = true, ["files:read"] = true}

local function scopes(event)
  return event:get("entity", "app", "scopes") or event:get("details", "new_scopes")
end

local function reads(event)
  local s = scopes(event)
  if type(s) ~= "table" then
    return false
  end
  for _, x in ipairs(s) do
    if READ[x] then
      return true
    end
  end
  return false
end

function rule(event)
  if event.action ~= "app_installed" and event.action ~= "app_scopes_expanded" then
    return false
  end
  if event:get("entity", "app", "is_directory_approved") == true or event:get("details", "is_internal_integration") == true then
    return false
  end
  return reads(event)
end

function title(event)
  return string.format("Slack app %s installed by %s", event:get("entity", "app", "name") or "?", event:get("actor", "user", "email") or "?")
end

function dedup(event)
  return event:get("entity", "app", "id") or event:get("entity", "app", "name") or "?"
end

function alert_context(event)
  return {app = event:get("entity", "app", "name"), scopes = scopes(event), actor = event:get("actor", "user", "email"), source_ip = event:get("context", "ip_address")}
end
