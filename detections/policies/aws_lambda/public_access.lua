local aws = require("aws")

-- public_functions: functions that are public on purpose, by name.
public_functions = {}

local function how(resource)
  if resource.FunctionUrlAuthType == "NONE" then
    return "function URL without authentication"
  end
  local s = aws.public_statement(resource:get("Policy", "Policy"))
  if s ~= nil then
    return "statement " .. tostring(s.Sid or "without Sid")
  end
  return nil
end

function policy(resource)
  if public_functions[resource.Name or ""] then
    return true
  end
  return how(resource) == nil
end

function title(resource)
  return string.format("Lambda function %s can be invoked by anyone (%s)", resource.Name or resource.ResourceId, how(resource) or "?")
end
