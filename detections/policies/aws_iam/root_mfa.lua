function policy(resource)
  local cr = resource.CredentialReport
  if cr ~= nil then
    return cr.MfaActive == true
  end
  local enabled = resource:get("AccountSummary", "AccountMFAEnabled")
  return enabled == nil or tonumber(enabled) == 1
end

function title(resource)
  return string.format("Root user of account %s has no MFA", resource.AccountId or "?")
end
