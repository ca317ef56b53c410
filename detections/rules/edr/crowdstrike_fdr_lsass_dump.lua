local PROCESS = {ProcessRollup2 = true, SyntheticProcessRollup2 = true}

-- The event's own fields: under event in Panther's shape, and there too
-- for raw FDR lines, which the log type gathers.
local function field(event, name)
  return event:get("event", name) or event[name]
end

function rule(event)
  local kind = event.event_simpleName or field(event, "event_simpleName")
  if not PROCESS[kind or ""] then
    return false
  end
  local cmd = field(event, "CommandLine") or ""
  return re.match("(?i)comsvcs(\\.dll)?[ ,]+#?(minidump|24)|procdump(64)?(\\.exe)?\\s.*lsass|sekurlsa::", cmd)
end

function title(event)
  return string.format("LSASS dump command on host %s by %s", event.aid or "?", field(event, "UserName") or "unknown user")
end

function dedup(event)
  return event.aid or "?"
end

function alert_context(event)
  return {host_id = event.aid, user = field(event, "UserName"), command_line = field(event, "CommandLine"), image = field(event, "ImageFileName")}
end
