function policy(resource)
  return resource.StorageEncrypted ~= false
end

function title(resource)
  return string.format("RDS instance %s (%s) is not encrypted", resource.DBInstanceIdentifier or resource.ResourceId, resource.Engine or "?")
end
