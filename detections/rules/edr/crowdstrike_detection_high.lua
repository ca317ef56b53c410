function rule(event)
  return (tonumber(event.Severity) or 0) >= 4
end

function title(event)
  return string.format("CrowdStrike %s detection on %s: %s (%s)", event.SeverityName or "High", event.Hostname or "?",
    event.Technique or event.Tactic or "?", event.Name or "?")
end

function dedup(event)
  return event.CompositeId or ((event.Hostname or "?") .. ":" .. (event.Name or "?"))
end

function severity(event)
  if tonumber(event.Severity) == 5 then
    return "Critical"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    host = event.Hostname,
    user = event.UserName,
    tactic = event.Tactic,
    technique = event.Technique,
    command_line = event.CommandLine,
    sha256 = event.SHA256String,
    action = event.PatternDispositionDescription,
    link = event.FalconHostLink,
  }
end
