function policy(resource)
  local rules = resource.EncryptionRules
  if rules == nil then
    return true -- unknown (see the description)
  end
  for _, r in ipairs(rules) do
    if (r:get("ApplyServerSideEncryptionByDefault", "SSEAlgorithm") or "") ~= "" then
      return true
    end
  end
  return false
end

function title(resource)
  return string.format("S3 bucket %s has no default encryption", resource.Name or resource.ResourceId)
end
