function policy(resource)
  return resource.PubliclyAccessible ~= true
end

function title(resource)
  return string.format("RDS instance %s is publicly accessible", resource.DBInstanceIdentifier or resource.ResourceId)
end
