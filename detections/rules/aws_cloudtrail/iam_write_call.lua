local aws = require("aws")

local READS = {"Get", "List", "Generate", "Simulate", "Describe"}

function rule(event)
  if event.eventSource ~= "iam.amazonaws.com" or aws.failed(event) then
    return false
  end
  local name = event.eventName or ""
  for _, p in ipairs(READS) do
    if name:sub(1, #p) == p then
      return false
    end
  end
  return name ~= ""
end

function title(event)
  return string.format("IAM %s by %s", event.eventName, aws.actor(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {account = aws.account(event), actor = aws.actor(event), action = event.eventName,
    source_ip = event.sourceIPAddress}
end
