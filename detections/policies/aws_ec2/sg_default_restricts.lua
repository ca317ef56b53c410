function policy(resource)
  if resource.GroupName ~= "default" then
    return true
  end
  return #(resource.IpPermissions or {}) == 0 and #(resource.IpPermissionsEgress or {}) == 0
end

function title(resource)
  return string.format("Default security group %s of %s has %d inbound and %d outbound rules", resource.GroupId or resource.ResourceId,
    resource.VpcId or "its VPC", #(resource.IpPermissions or {}), #(resource.IpPermissionsEgress or {}))
end
