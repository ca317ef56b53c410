local function who(event)
  return event:get("event", "actor", "person", "email") or event:get("event", "actor", "id") or "?"
end

function rule(event)
  return event:get("event", "type") == "workspace.content_exported"
end

function title(event)
  return "Notion workspace exported by " .. who(event)
end

function dedup(event)
  return who(event)
end

function alert_context(event)
  return {user = who(event), source_ip = event:get("event", "ip_address"), platform = event:get("event", "platform"), export_type = event:get("event", "details", "export_type")}
end
