local aws = require("aws")

local function length(resource)
  if resource.AnyExist ~= true then
    return 8 -- AWS's default without a policy
  end
  return tonumber(resource.MinimumPasswordLength) or 6
end

function policy(resource)
  return length(resource) >= aws.password_policy_baseline.minimum_length
end

function title(resource)
  return string.format("Password policy of account %s accepts passwords of %d characters", resource.AccountId or "?", length(resource))
end
