local compliance = require("compliance")

local function own(resource)
  local names = {}
  for name, _ in pairs(resource.InlinePolicies or {}) do
    table.insert(names, name)
  end
  for _, arn in ipairs(resource.ManagedPolicyARNs or {}) do
    table.insert(names, (tostring(arn):match("[^/]+$")))
  end
  table.sort(names)
  return names
end

function policy(resource)
  return #own(resource) == 0
end

function title(resource)
  local names = own(resource)
  local what = "policies"
  if #names == 1 then
    what = "policy"
  end
  return string.format("IAM user %s has %d %s of its own (%s)", compliance.name(resource), #names, what, table.concat(names, ", "))
end
