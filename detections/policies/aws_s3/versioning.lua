function policy(resource)
  return resource.Versioning == "Enabled"
end

function title(resource)
  return string.format("S3 bucket %s versioning is %s", resource.Name or resource.ResourceId, resource.Versioning or "off")
end
