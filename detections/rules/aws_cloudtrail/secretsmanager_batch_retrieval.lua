local aws = require("aws")

-- How many secrets the call asked for: by list, or "filtered" (a filter can
-- match every secret the caller may read).
local function scope(event)
  local ids = event:get("requestParameters", "secretIdList")
  if ids ~= nil and #ids > 0 then
    return #ids, string.format("%d secrets", #ids)
  end
  local filters = event:get("requestParameters", "filters")
  if filters ~= nil then
    local parts = {}
    for _, f in ipairs(aws.list(filters)) do
      local values = {}
      for _, v in ipairs(aws.list(f.values)) do table.insert(values, tostring(v)) end
      table.insert(parts, tostring(f.key) .. "=" .. table.concat(values, "|"))
    end
    return math.huge, "secrets matching " .. (#parts > 0 and table.concat(parts, ", ") or "no filter")
  end
  return 0, "no secret"
end

local MIN_SECRETS = 5

function rule(event)
  if event.eventSource ~= "secretsmanager.amazonaws.com" or event.eventName ~= "BatchGetSecretValue" then
    return false
  end
  if aws.failed(event) or aws.by_aws_service(event) then
    return false
  end
  return scope(event) >= MIN_SECRETS
end

function title(event)
  local _, what = scope(event)
  return string.format("%s read %s at once in %s", aws.actor(event), what, aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  local _, what = scope(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    requested = what,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
