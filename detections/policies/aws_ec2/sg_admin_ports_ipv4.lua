local compliance = require("compliance")

local function open(resource)
  for _, perm in ipairs(resource.IpPermissions or {}) do
    local port = compliance.open_port(perm, compliance.admin_ports, true, false)
    if port ~= nil then
      return port
    end
  end
  return nil
end

function policy(resource)
  return open(resource) == nil
end

function title(resource)
  return string.format("Security group %s (%s) opens port %s to 0.0.0.0/0", resource.GroupName or resource.Name or "?",
    resource.GroupId or resource.ResourceId, tostring(open(resource)))
end
