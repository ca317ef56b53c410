local aws = require("aws")

local PUBLIC = {
  ["http://acs.amazonaws.com/groups/global/AllUsers"] = "anyone",
  ["http://acs.amazonaws.com/groups/global/AuthenticatedUsers"] = "any AWS account",
}
local READ = { READ = true, READ_ACP = true }

local function public_grant(resource)
  for _, g in ipairs(resource.Grants or {}) do
    local who = PUBLIC[g:get("Grantee", "URI") or ""]
    if who ~= nil and READ[g.Permission or ""] then
      return g.Permission, who
    end
  end
  return nil
end

function policy(resource)
  if aws.public_buckets[resource.Name or ""] then
    return true
  end
  return public_grant(resource) == nil
end

function title(resource)
  local perm, who = public_grant(resource)
  return string.format("S3 bucket %s grants %s to %s", resource.Name or resource.ResourceId, perm or "?", who or "?")
end
