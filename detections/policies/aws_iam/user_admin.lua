local aws = require("aws")
local compliance = require("compliance")

local function admin_grant(resource)
  for _, arn in ipairs(resource.ManagedPolicyARNs or {}) do
    if aws.admin_managed_policies[arn] then
      return arn
    end
  end
  local names = {}
  for name, _ in pairs(resource.InlinePolicies or {}) do
    table.insert(names, name)
  end
  table.sort(names)
  for _, name in ipairs(names) do
    if aws.grants_admin(resource.InlinePolicies[name]) then
      return "inline policy " .. name
    end
  end
  return nil
end

function policy(resource)
  return admin_grant(resource) == nil
end

function title(resource)
  return string.format("IAM user %s has administrator access (%s)", compliance.name(resource), admin_grant(resource) or "?")
end
