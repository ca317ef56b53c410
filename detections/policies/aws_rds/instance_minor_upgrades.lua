function policy(resource)
  return resource.AutoMinorVersionUpgrade ~= false
end

function title(resource)
  return string.format("RDS instance %s does not take minor version upgrades", resource.DBInstanceIdentifier or resource.ResourceId)
end
