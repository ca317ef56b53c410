local aws = require("aws")

-- AWS documents that run whatever script or playbook the caller passes.
local ARBITRARY = {
  ["AWS-RunShellScript"] = true, ["AWS-RunPowerShellScript"] = true, ["AWS-RunRemoteScript"] = true,
  ["AWS-RunAnsiblePlaybook"] = true, ["AWS-ApplyAnsiblePlaybooks"] = true, ["AWS-RunSaltState"] = true,
}

local MIN_INSTANCES = 5

-- How many instances, as a number (math.huge for tag or "*" targets) and
-- as words.
local function reach(event)
  local rp = event.requestParameters
  local ids = rp and rp.instanceIds
  local n = ids and #ids or 0
  local targets = rp and rp.targets
  if targets ~= nil and #targets > 0 then
    local parts = {}
    for _, t in ipairs(targets) do
      local values = {}
      for _, v in ipairs(aws.list(t.values)) do table.insert(values, tostring(v)) end
      table.insert(parts, tostring(t.key) .. "=" .. table.concat(values, "|"))
    end
    local counted = event:get("responseElements", "command", "targetCount")
    if counted and counted > 0 then
      return counted, string.format("%d instances (%s)", counted, table.concat(parts, ", "))
    end
    return math.huge, "instances matching " .. table.concat(parts, ", ")
  end
  return n, string.format("%d instances", n)
end

function rule(event)
  if event.eventSource ~= "ssm.amazonaws.com" or event.eventName ~= "SendCommand" then
    return false
  end
  if aws.failed(event) or aws.by_aws_service(event) then
    return false
  end
  if not ARBITRARY[event:get("requestParameters", "documentName") or ""] then
    return false
  end
  return reach(event) >= MIN_INSTANCES
end

function title(event)
  local _, words = reach(event)
  return string.format("%s ran %s on %s in %s",
    aws.actor(event), event:get("requestParameters", "documentName"), words, aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  local _, words = reach(event)
  local ids = {}
  for i, id in ipairs(aws.list(event:get("requestParameters", "instanceIds"))) do
    if i > 20 then
      table.insert(ids, "...")
      break
    end
    table.insert(ids, tostring(id))
  end
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    document = event:get("requestParameters", "documentName"),
    reach = words,
    instance_ids = table.concat(ids, ", "),
    command_id = event:get("responseElements", "command", "commandId"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
