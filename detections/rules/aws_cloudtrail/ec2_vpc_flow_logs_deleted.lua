local aws = require("aws")

-- The flow log IDs of a DeleteFlowLogs call. The EC2 query API's shape:
-- {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-...", "tag": 1}}},
-- FlowLogId a list when several are deleted.
local function flow_logs(event)
  local ids = {}
  local v = event:get("requestParameters", "DeleteFlowLogsRequest", "FlowLogId")
    or event:get("requestParameters", "flowLogIds")
  for _, x in ipairs(aws.list(v)) do
    if type(x) == "table" then
      table.insert(ids, tostring(x.content or "?"))
    else
      table.insert(ids, tostring(x))
    end
  end
  return ids
end

function rule(event)
  if event.eventSource ~= "ec2.amazonaws.com" or event.eventName ~= "DeleteFlowLogs" or aws.failed(event) then
    return false
  end
  return true
end

function title(event)
  local ids = flow_logs(event)
  return string.format("VPC flow logs %s deleted by %s in %s %s",
    #ids > 0 and table.concat(ids, ", ") or "?", aws.actor(event), aws.account(event), event.awsRegion or "?")
end

function dedup(event)
  return aws.account_region(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    flow_logs = table.concat(flow_logs(event), ", "),
    unsuccessful = event:get("responseElements", "DeleteFlowLogsResponse", "unsuccessful"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
