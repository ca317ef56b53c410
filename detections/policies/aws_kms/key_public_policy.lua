local aws = require("aws")

function policy(resource)
  return aws.public_statement(resource.Policy) == nil
end

function title(resource)
  local s = aws.public_statement(resource.Policy) or {}
  return string.format("KMS key %s policy allows %s to anyone", resource.KeyId or resource.ResourceId, table.concat(aws.list(s.Action), ", "))
end
