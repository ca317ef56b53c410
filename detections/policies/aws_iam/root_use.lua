local compliance = require("compliance")

local function last_use(resource)
  local cr = resource.CredentialReport
  if cr == nil then
    return nil
  end
  for _, f in ipairs({ { "PasswordLastUsed", "password" }, { "AccessKey1LastUsedDate", "access key 1" }, { "AccessKey2LastUsedDate", "access key 2" } }) do
    local days = compliance.days_since(cr[f[1]])
    if days ~= nil and days < compliance.root_use_days then
      return f[2], cr[f[1]]
    end
  end
  return nil
end

function policy(resource)
  return last_use(resource) == nil
end

function title(resource)
  local how, when = last_use(resource)
  return string.format("Root user of account %s used (%s) on %s", resource.AccountId or "?", how or "?", when or "?")
end
