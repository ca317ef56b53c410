local aws = require("aws")

-- The interface's host opened the connection: its port is ephemeral
-- (Linux 32768+, Windows 49152+), or it talks to a well-known port from an
-- unprivileged one. A server answering a download from the internet sends
-- from its service port and is not counted.
local function client_side(event)
  local sp, dp = event.srcPort or 0, event.dstPort or 0
  return sp >= 32768 or (sp >= 1024 and dp < 1024)
end

function rule(event)
  if event.action ~= "ACCEPT" or (event.bytes or 0) < aws.large_transfer_bytes then
    return false
  end
  local src, dst = event.srcAddr, event.dstAddr
  if src == nil or dst == nil or not net.is_ip(dst) or not net.is_internal(src) or net.is_internal(dst) then
    return false
  end
  if event.flowDirection ~= nil and event.flowDirection ~= "egress" then
    return false
  end
  -- Custom formats name AWS service ranges (S3, DynamoDB, ...): traffic to
  -- AWS itself is not exfiltration to the internet.
  if event.pktDstAwsService ~= nil then
    return false
  end
  if #aws.egress_destinations_allowed > 0 and net.in_cidr(dst, aws.egress_destinations_allowed) then
    return false
  end
  return client_side(event)
end

local function size(bytes)
  if bytes >= 1024 * 1024 * 1024 then
    return string.format("%.1f GiB", bytes / (1024 * 1024 * 1024))
  end
  return string.format("%.0f MiB", bytes / (1024 * 1024))
end

function title(event)
  return string.format("%s sent %s to %s:%d in one flow record (%s)",
    event.srcAddr, size(event.bytes), event.dstAddr, event.dstPort or 0, event.instanceId or event.interfaceId or "?")
end

function dedup(event)
  return event.srcAddr .. "->" .. event.dstAddr
end

function alert_context(event)
  return {
    source_ip = event.srcAddr,
    destination_ip = event.dstAddr,
    destination_port = event.dstPort,
    protocol = event.protocol,
    bytes = event.bytes,
    packets = event.packets,
    interface = event.interfaceId,
    instance = event.instanceId,
    account = event.account,
    flow_start = event.start,
    flow_end = event["end"],
  }
end
