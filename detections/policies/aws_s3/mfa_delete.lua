function policy(resource)
  return resource.MFADelete == "Enabled"
end

function title(resource)
  return string.format("S3 bucket %s does not require MFA to delete versions", resource.Name or resource.ResourceId)
end
