function policy(resource)
  if resource.KeyManager ~= "CUSTOMER" or resource.Origin ~= "AWS_KMS" then
    return true
  end
  local spec = resource.KeySpec or resource.CustomerMasterKeySpec or "SYMMETRIC_DEFAULT"
  if spec ~= "SYMMETRIC_DEFAULT" then
    return true
  end
  if resource.KeyState ~= nil and resource.KeyState ~= "Enabled" then
    return true
  end
  return resource.KeyRotationEnabled ~= false
end

function title(resource)
  local what = ""
  if resource.Description ~= nil and resource.Description ~= "" then
    what = " (" .. resource.Description .. ")"
  end
  return string.format("KMS key %s%s does not rotate", resource.KeyId or resource.ResourceId, what)
end
