local function d(event, name)
  return event:get("details", name) or event:get("detail", name) or event[name]
end

function rule(event)
  local change = string.lower(d(event, "change") or "")
  local to = d(event, "to")
  if to == "Public" and (change == "visibility" or change == "visibility level") then
    return true
  end
  local msg = d(event, "custom_message") or ""
  return string.find(msg, "to Public", 1, true) ~= nil and string.find(string.lower(msg), "visibility", 1, true) ~= nil
end

function title(event)
  return string.format("GitLab %s %s made public by %s", string.lower(event.entity_type or "project"), event.entity_path or d(event, "entity_path") or "?",
    event.author_name or d(event, "author_name") or "?")
end

function dedup(event)
  return event.entity_path or d(event, "entity_path") or tostring(event.entity_id)
end

function alert_context(event)
  return {author = event.author_name or d(event, "author_name"), entity = event.entity_path, source_ip = event.ip_address or d(event, "ip_address")}
end
