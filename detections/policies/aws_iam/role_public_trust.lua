local aws = require("aws")
local compliance = require("compliance")

function policy(resource)
  return aws.public_statement(resource.AssumeRolePolicyDocument) == nil
end

function title(resource)
  return string.format("IAM role %s can be assumed by any AWS principal", compliance.name(resource))
end
