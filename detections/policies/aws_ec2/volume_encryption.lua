function policy(resource)
  return resource.Encrypted ~= false
end

function title(resource)
  local att = ""
  local a = resource.Attachments and resource.Attachments[1]
  if a ~= nil and a.InstanceId ~= nil then
    att = " (attached to " .. a.InstanceId .. ")"
  end
  return string.format("EBS volume %s%s is not encrypted", resource.VolumeId or resource.ResourceId, att)
end
