local aws = require("aws")
local compliance = require("compliance")

local SETTINGS = { "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets" }

local function missing(resource)
  local c = resource.PublicAccessBlockConfiguration
  if c == nil then
    return "no Block Public Access configuration"
  end
  local off = {}
  for _, k in ipairs(SETTINGS) do
    if c[k] ~= true then
      table.insert(off, k)
    end
  end
  if #off == 0 then
    return nil
  end
  return table.concat(off, ", ") .. " off"
end

function policy(resource)
  if aws.public_buckets[resource.Name or ""] then
    return true
  end
  if compliance.unknown(resource, "PublicAccessBlockConfiguration") then
    return true -- a Terraform plan that does not manage it cannot say
  end
  return missing(resource) == nil
end

function title(resource)
  return string.format("S3 bucket %s does not block public access (%s)", resource.Name or resource.ResourceId, missing(resource) or "?")
end
