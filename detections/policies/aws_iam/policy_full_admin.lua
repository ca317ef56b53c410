local aws = require("aws")
local compliance = require("compliance")

local function attachments(resource)
  local n = tonumber(resource.AttachmentCount)
  if n ~= nil then
    return n
  end
  local e = resource.Entities
  if e == nil then
    return 1 -- unknown: assume attached
  end
  return #(e.PolicyUsers or {}) + #(e.PolicyGroups or {}) + #(e.PolicyRoles or {})
end

function policy(resource)
  return attachments(resource) == 0 or not aws.grants_admin(resource.PolicyDocument)
end

function title(resource)
  return string.format("IAM policy %s allows every action on every resource and is attached %d times", compliance.name(resource), attachments(resource))
end
