local compliance = require("compliance")

local function old_key(cr)
  for i = 1, 2 do
    local rotated = cr["AccessKey" .. i .. "LastRotated"]
    local days = compliance.days_since(rotated)
    if cr["AccessKey" .. i .. "Active"] == true and days ~= nil and days > compliance.key_rotation_days then
      return i, rotated
    end
  end
  return nil
end

function policy(resource)
  local cr = resource.CredentialReport
  return cr == nil or old_key(cr) == nil
end

function title(resource)
  local i, when = old_key(resource.CredentialReport)
  return string.format("IAM user %s has access key %s unrotated since %s", compliance.name(resource), tostring(i), when or "?")
end
