function policy(resource)
  return resource:get("RecordingGroup", "AllSupported") ~= false
end

function title(resource)
  return string.format("AWS Config recorder %s in %s records %d resource types only", resource.Name or "?", resource.Region or "?",
    #(resource:get("RecordingGroup", "ResourceTypes") or {}))
end
