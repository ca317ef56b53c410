local compliance = require("compliance")

function policy(resource)
  return (resource.KmsKeyId or "") ~= ""
end

function title(resource)
  return string.format("CloudTrail trail %s is not encrypted with a KMS key", compliance.name(resource))
end
