function policy(resource)
  return resource:get("Status", "Recording") ~= false
end

function title(resource)
  return string.format("AWS Config recorder %s in %s is not recording", resource.Name or "?", resource.Region or "?")
end
