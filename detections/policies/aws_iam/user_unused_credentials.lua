local compliance = require("compliance")

-- stale returns a description of the first stale credential, or nil.
local function stale(cr)
  local limit = compliance.unused_credential_days
  local checks = {
    { "password", cr.PasswordEnabled, cr.PasswordLastUsed, cr.PasswordLastChanged },
    { "access key 1", cr.AccessKey1Active, cr.AccessKey1LastUsedDate, cr.AccessKey1LastRotated },
    { "access key 2", cr.AccessKey2Active, cr.AccessKey2LastUsedDate, cr.AccessKey2LastRotated },
  }
  for _, c in ipairs(checks) do
    if c[2] == true then
      local used = compliance.days_since(c[3])
      if used ~= nil then
        if used > limit then
          return c[1] .. ", last used " .. c[3]
        end
      else
        local set = compliance.days_since(c[4])
        if set ~= nil and set > limit then
          return c[1] .. ", never used since " .. c[4]
        end
      end
    end
  end
  return nil
end

function policy(resource)
  local cr = resource.CredentialReport
  return cr == nil or stale(cr) == nil
end

function title(resource)
  return string.format("IAM user %s has an unused credential (%s)", compliance.name(resource), stale(resource.CredentialReport) or "?")
end
