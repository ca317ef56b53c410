function policy(resource)
  return resource.Encrypted ~= false
end

function title(resource)
  return string.format("RDS snapshot %s is not encrypted", resource.DBSnapshotIdentifier or resource.ResourceId)
end
