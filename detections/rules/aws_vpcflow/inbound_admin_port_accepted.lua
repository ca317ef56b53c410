local aws = require("aws")

local TCP = 6

local function inbound_from_internet(event)
  local src, dst = event.srcAddr, event.dstAddr
  if src == nil or dst == nil or not net.is_ip(src) or net.is_internal(src) then
    return false
  end
  -- flow-direction (custom formats) says it directly; without it, traffic
  -- towards an internal address from an internet one is inbound.
  if event.flowDirection ~= nil then
    return event.flowDirection == "ingress"
  end
  return net.is_internal(dst)
end

function rule(event)
  if event.action ~= "ACCEPT" or event.protocol ~= TCP then
    return false
  end
  if aws.sensitive_ports[event.dstPort or -1] == nil then
    return false
  end
  if not inbound_from_internet(event) then
    return false
  end
  return #aws.admin_sources_allowed == 0 or not net.in_cidr(event.srcAddr, aws.admin_sources_allowed)
end

local function service(event)
  return aws.sensitive_ports[event.dstPort] .. " (" .. event.dstPort .. ")"
end

function title(event)
  return string.format("Internet host %s reached %s on %s (%s)",
    event.srcAddr, service(event), event.dstAddr, event.instanceId or event.interfaceId or "?")
end

-- The exposed service is what gets fixed: one alert per address and port.
function dedup(event)
  return event.dstAddr .. ":" .. event.dstPort
end

function alert_context(event)
  return {
    source_ip = event.srcAddr,
    source_port = event.srcPort,
    destination_ip = event.dstAddr,
    destination_port = event.dstPort,
    service = aws.sensitive_ports[event.dstPort],
    interface = event.interfaceId,
    instance = event.instanceId,
    vpc = event.vpcId,
    account = event.account,
    packets = event.packets,
    bytes = event.bytes,
  }
end
