local aws = require("aws")

-- Operations that change data or permissions.
local function is_write(op)
  return op:match("^REST%.PUT%.") ~= nil or op:match("^REST%.POST%.") ~= nil
    or op:match("^REST%.DELETE%.") ~= nil or op:match("^REST%.COPY%.") ~= nil
    or op == "BATCH.DELETE.OBJECT"
end

function rule(event)
  local op = event.operation or ""
  -- Website endpoints are anonymous by design; REST calls are not.
  if op:match("^REST%.") == nil and op ~= "BATCH.DELETE.OBJECT" then
    return false
  end
  if event.requester ~= nil then
    return false
  end
  local status = event.httpstatus or 0
  if status < 200 or status > 299 then
    return false
  end
  -- Reads of buckets that are public on purpose are expected; writes never.
  return is_write(op) or not aws.public_buckets[event.bucket or ""]
end

function title(event)
  local what = is_write(event.operation) and "Anonymous write to" or "Anonymous read of"
  return string.format("%s S3 bucket %s (%s) from %s", what, event.bucket or "?", event.operation, event.remoteip or "?")
end

function dedup(event)
  return event.bucket or "?"
end

function severity(event)
  if is_write(event.operation) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    bucket = event.bucket,
    operation = event.operation,
    key = event.key,
    source_ip = event.remoteip,
    user_agent = event.useragent,
    http_status = event.httpstatus,
    bytes_sent = event.bytessent,
    referrer = event.referrer,
    acl_required = event.aclrequired,
  }
end
