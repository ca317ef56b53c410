local compliance = require("compliance")

function policy(resource)
  return resource.LogFileValidationEnabled ~= false
end

function title(resource)
  return string.format("CloudTrail trail %s does not validate its log files", compliance.name(resource))
end
