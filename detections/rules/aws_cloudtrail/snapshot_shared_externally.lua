local aws = require("aws")

-- kind of resource, its ID, and the "add" list of the call.
local function share(event)
  local rp = event.requestParameters
  if rp == nil then
    return nil
  end
  local name = event.eventName
  if event.eventSource == "ec2.amazonaws.com" then
    if name == "ModifySnapshotAttribute" then
      return "EBS snapshot", rp.snapshotId, rp:get("createVolumePermission", "add", "items")
    end
    if name == "ModifyImageAttribute" then
      return "AMI", rp.imageId, rp:get("launchPermission", "add", "items")
    end
  elseif event.eventSource == "rds.amazonaws.com" and rp.attributeName == "restore" then
    if name == "ModifyDBSnapshotAttribute" then
      return "RDS snapshot", rp.dBSnapshotIdentifier, rp.valuesToAdd
    end
    if name == "ModifyDBClusterSnapshotAttribute" then
      return "RDS cluster snapshot", rp.dBClusterSnapshotIdentifier, rp.valuesToAdd
    end
  end
  return nil
end

-- Who newly gets it: "everyone", and/or accounts that are not trusted.
local function recipients(event)
  local _, _, adds = share(event)
  local out, public = {}, false
  for _, a in ipairs(aws.list(adds)) do
    local who
    if type(a) == "table" then
      if a.group == "all" then
        public = true
      else
        who = a.userId
      end
    elseif a == "all" then
      public = true
    else
      who = a
    end
    if who and not aws.is_trusted_account(event, who) then
      table.insert(out, tostring(who))
    end
  end
  if public then
    table.insert(out, 1, "everyone")
  end
  return out, public
end

local CALLS = {
  ModifySnapshotAttribute = true, ModifyImageAttribute = true,
  ModifyDBSnapshotAttribute = true, ModifyDBClusterSnapshotAttribute = true,
}

function rule(event)
  if not CALLS[event.eventName or ""] or aws.failed(event) or share(event) == nil then
    return false
  end
  return #recipients(event) > 0
end

function title(event)
  local kind, id = share(event)
  return string.format("%s %s shared with %s by %s in %s",
    kind, id or "?", table.concat(recipients(event), ", "), aws.actor(event), aws.account(event))
end

function dedup(event)
  local _, id = share(event)
  return aws.account(event) .. ":" .. (id or "?")
end

function severity(event)
  local _, public = recipients(event)
  if public then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local kind, id = share(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    resource_kind = kind,
    resource_id = id,
    shared_with = table.concat(recipients(event), ", "),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
