local aws = require("aws")

local ADMIN = { [22] = true, [3389] = true } -- AdminPortsOpenIPv4/IPv6

local PORTS = {}
for port, _ in pairs(aws.sensitive_ports) do
  if not ADMIN[port] then
    table.insert(PORTS, port)
  end
end
table.sort(PORTS)

local compliance = require("compliance")

local function open(resource)
  for _, perm in ipairs(resource.IpPermissions or {}) do
    -- All traffic is AdminPortsOpen's: report narrower rules here.
    if tostring(perm.IpProtocol) ~= "-1" then
      local port = compliance.open_port(perm, PORTS, true, true)
      if port ~= nil then
        return port
      end
    end
  end
  return nil
end

function policy(resource)
  return open(resource) == nil
end

function title(resource)
  local port = open(resource)
  return string.format("Security group %s (%s) opens %s (%s) to the internet", resource.GroupName or resource.Name or "?",
    resource.GroupId or resource.ResourceId, aws.sensitive_ports[port] or "?", tostring(port))
end
