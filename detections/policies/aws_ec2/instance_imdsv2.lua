function policy(resource)
  local m = resource.MetadataOptions
  if m == nil then
    return true -- unknown
  end
  return m.HttpEndpoint == "disabled" or m.HttpTokens == "required"
end

function title(resource)
  return string.format("EC2 instance %s (%s) allows IMDSv1", resource.Name or "?", resource.InstanceId or resource.ResourceId)
end
