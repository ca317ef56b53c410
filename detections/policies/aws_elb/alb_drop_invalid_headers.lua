function policy(resource)
  if resource.Type ~= "application" or resource.Scheme ~= "internet-facing" then
    return true
  end
  local attrs = resource.Attributes
  if attrs == nil then
    return true -- unknown
  end
  return attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"
end

function title(resource)
  return string.format("Load balancer %s forwards invalid HTTP headers", resource.Name or resource.ResourceId)
end
