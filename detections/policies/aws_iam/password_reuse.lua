local aws = require("aws")

local function remembered(resource)
  if resource.AnyExist ~= true then
    return 0
  end
  return tonumber(resource.PasswordReusePrevention) or 0
end

function policy(resource)
  return remembered(resource) >= aws.password_policy_baseline.reuse_prevention
end

function title(resource)
  return string.format("Password policy of account %s remembers only %d previous passwords", resource.AccountId or "?", remembered(resource))
end
