local SHARES = {shared_content_add_member = true, shared_folder_add_member = true, sf_add_group = true, shared_content_add_invitees = true}

-- tag reads a union's tag: .tag from Dropbox, _tag from Panther.
local function tag(v)
  if type(v) ~= "table" then
    return nil
  end
  return v[".tag"] or v["_tag"]
end

local function actor(event)
  return event:get("actor", "user", "email") or event:get("actor", "admin", "email") or "?"
end

local function asset(event)
  return event:get("assets", 1, "display_name") or event:get("assets", 1, "path", "contextual") or "?"
end

function rule(event)
  local kind = tag(event.event_type)
  if kind == "shared_link_create" then
    return true
  end
  return SHARES[kind or ""] == true and event.involve_non_team_member == true
end

function title(event)
  return string.format("%s shared %s outside the team (%s)", actor(event), asset(event), tag(event.event_type))
end

function dedup(event)
  return actor(event) .. ":" .. asset(event)
end

function alert_context(event)
  return {actor = actor(event), asset = asset(event), event_type = tag(event.event_type), source_ip = event:get("origin", "geo_location", "ip_address")}
end
