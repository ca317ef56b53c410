function policy(resource)
  return resource.Status == nil or resource.Status == "ENABLED"
end

function title(resource)
  return string.format("GuardDuty is disabled in %s of account %s", resource.Region or "?", resource.AccountId or "?")
end
