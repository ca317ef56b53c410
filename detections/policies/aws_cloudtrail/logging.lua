local compliance = require("compliance")

function policy(resource)
  return resource:get("Status", "IsLogging") ~= false
end

function title(resource)
  return string.format("CloudTrail trail %s is not logging", compliance.name(resource))
end
