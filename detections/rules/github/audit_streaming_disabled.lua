local github = require("github")

local function change(event)
  local a = event.action
  if a == "audit_log_streaming.destroy" then
    return "audit log stream deleted"
  end
  if a == "audit_log_streaming.update" and event.audit_log_stream_enabled == false then
    return "audit log stream paused"
  end
  if a == "org.disable_source_ip_disclosure" or a == "business.disable_source_ip_disclosure" then
    return "IP addresses hidden from the audit log"
  end
  return nil
end

function rule(event)
  return change(event) ~= nil
end

function title(event)
  return string.format("GitHub %s for %s by %s", change(event), github.owner(event), github.actor(event))
end

function dedup(event)
  return github.owner(event)
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.change = change(event)
  ctx.stream_sink = event.audit_log_stream_sink
  return ctx
end
