function rule(event)
  return event.severity == "high" and event.status ~= "resolved"
end

function title(event)
  return string.format("%s: %s", event.serviceSource or "Microsoft", event.title or "alert")
end

function dedup(event)
  return event.id or event.title
end

function alert_context(event)
  return {
    alert_id = event.id,
    incident = event.incidentWebUrl or event.incidentId,
    category = event.category,
    techniques = event.mitreTechniques,
    product = event.productName or event.serviceSource,
  }
end
