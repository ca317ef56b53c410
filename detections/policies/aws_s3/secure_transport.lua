local aws = require("aws")

local function denies_http(doc)
  local p = aws.policy(doc)
  if p == nil then
    return false
  end
  for _, s in ipairs(aws.list(p.Statement)) do
    if type(s) == "table" and s.Effect == "Deny" and (s.Principal == "*" or (type(s.Principal) == "table" and s.Principal.AWS == "*")) then
      local cond = s.Condition or {}
      for _, op in ipairs({ "Bool", "BoolIfExists" }) do
        local v = cond[op] and (cond[op]["aws:SecureTransport"] or cond[op]["AWS:SecureTransport"])
        if v ~= nil and tostring(v) == "false" then
          return true
        end
      end
    end
  end
  return false
end

function policy(resource)
  return denies_http(resource.Policy)
end

function title(resource)
  return string.format("S3 bucket %s accepts requests without TLS", resource.Name or resource.ResourceId)
end
