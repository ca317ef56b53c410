function rule(event)
  if event.action ~= "REJECT" or event.srcAddr == nil or event.dstPort == nil then
    return false
  end
  -- From a well-known port to an ephemeral one: the answer of a server this
  -- VPC talked to, dropped by a stateless network ACL, not a probe.
  if (event.srcPort or 0) > 0 and event.srcPort < 1024 and event.dstPort >= 1024 then
    return false
  end
  return true
end

local function internal(event)
  return net.is_internal(event.srcAddr)
end

local function where(event)
  if event.vpcId then
    return "VPC " .. event.vpcId
  end
  return "account " .. (event.account or "?")
end

function title(event)
  local who = internal(event) and "Internal" or "Internet"
  return string.format("%s host %s probing rejected ports (%s)", who, event.srcAddr, where(event))
end

function dedup(event)
  return event.srcAddr
end

-- A host of your own scanning its neighbours is discovery after a
-- compromise; internet scanners are background noise worth a look only.
function severity(event)
  if internal(event) then
    return "Medium"
  end
  return "Low"
end

function alert_context(event)
  return {
    source_ip = event.srcAddr,
    source_internal = internal(event),
    first_destination_ip = event.dstAddr,
    first_destination_port = event.dstPort,
    protocol = event.protocol,
    interface = event.interfaceId,
    vpc = event.vpcId,
    account = event.account,
  }
end
