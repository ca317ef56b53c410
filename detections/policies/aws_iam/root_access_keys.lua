function policy(resource)
  local cr = resource.CredentialReport
  if cr ~= nil then
    return cr.AccessKey1Active ~= true and cr.AccessKey2Active ~= true
  end
  local present = resource:get("AccountSummary", "AccountAccessKeysPresent")
  return present == nil or tonumber(present) == 0
end

function title(resource)
  return string.format("Root user of account %s has an access key", resource.AccountId or "?")
end
