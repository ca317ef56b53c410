local aws = require("aws")

function policy(resource)
  if aws.public_buckets[resource.Name or ""] then
    return true
  end
  return aws.public_statement(resource.Policy) == nil
end

function title(resource)
  local s = aws.public_statement(resource.Policy) or {}
  return string.format("S3 bucket %s policy allows %s to anyone", resource.Name or resource.ResourceId,
    table.concat(aws.list(s.Action), ", "))
end

function alert_context(resource)
  return { statement = aws.public_statement(resource.Policy) }
end
