-- log_buckets: the buckets that receive server access logs, which are not
-- expected to log themselves.
log_buckets = {}

function policy(resource)
  if log_buckets[resource.Name or ""] then
    return true
  end
  return resource.LoggingPolicy ~= nil and (resource.LoggingPolicy.TargetBucket or "") ~= ""
end

function title(resource)
  return string.format("S3 bucket %s has no server access logging", resource.Name or resource.ResourceId)
end
