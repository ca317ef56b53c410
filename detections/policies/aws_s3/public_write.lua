local PUBLIC = {
  ["http://acs.amazonaws.com/groups/global/AllUsers"] = "anyone",
  ["http://acs.amazonaws.com/groups/global/AuthenticatedUsers"] = "any AWS account",
}
local WRITE = { WRITE = true, WRITE_ACP = true, FULL_CONTROL = true }

local function public_grant(resource)
  for _, g in ipairs(resource.Grants or {}) do
    local who = PUBLIC[g:get("Grantee", "URI") or ""]
    if who ~= nil and WRITE[g.Permission or ""] then
      return g.Permission, who
    end
  end
  return nil
end

function policy(resource)
  return public_grant(resource) == nil
end

function title(resource)
  local perm, who = public_grant(resource)
  return string.format("S3 bucket %s grants %s to %s", resource.Name or resource.ResourceId, perm or "?", who or "?")
end
