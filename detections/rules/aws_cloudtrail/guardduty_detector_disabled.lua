local aws = require("aws")

-- What the call switched off, or nil.
local function change(event)
  local name = event.eventName
  if name == "DeleteDetector" then
    return "detector deleted"
  end
  if name == "UpdateDetector" then
    if event:get("requestParameters", "enable") == false then
      return "detector disabled"
    end
    local off = {}
    for _, f in ipairs(aws.list(event:get("requestParameters", "features"))) do
      if f.status == "DISABLED" then
        table.insert(off, tostring(f.name))
      end
    end
    for _, k in ipairs({ "s3Logs", "kubernetes", "malwareProtection" }) do
      local ds = event:get("requestParameters", "dataSources", k)
      if ds ~= nil and (ds.enable == false or ds:get("auditLogs", "enable") == false
        or ds:get("scanEc2InstanceWithFindings", "ebsVolumes") == false) then
        table.insert(off, k)
      end
    end
    if #off > 0 then
      return "protection turned off: " .. table.concat(off, ", ")
    end
    return nil
  end
  if name == "DisassociateFromMasterAccount" or name == "DisassociateFromAdministratorAccount" then
    return "account left its GuardDuty administrator"
  end
  if name == "StopMonitoringMembers" then
    local ids = {}
    for _, id in ipairs(aws.list(event:get("requestParameters", "accountIds"))) do
      table.insert(ids, tostring(id))
    end
    return "monitoring stopped for members " .. table.concat(ids, ",")
  end
  return nil
end

function rule(event)
  if event.eventSource ~= "guardduty.amazonaws.com" or aws.failed(event) then
    return false
  end
  return change(event) ~= nil
end

function title(event)
  return string.format("GuardDuty in %s %s: %s by %s",
    aws.account(event), event.awsRegion or "?", change(event), aws.actor(event))
end

function dedup(event)
  return aws.account_region(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    detector_id = event:get("requestParameters", "detectorId"),
    change = change(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
