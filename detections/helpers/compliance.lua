-- Helpers shared by the cloud security policies. require("compliance")
-- returns this table.
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- admin_ports: remote administration ports (CIS AWS Foundations 5.1-5.3:
-- SSH and RDP). Add others your organisation administers through.
M.admin_ports = { 22, 3389 }

-- unused_credential_days: a password or access key unused for this long
-- should be disabled (CIS 1.12: 45 days).
M.unused_credential_days = 45

-- key_rotation_days: access keys older than this should be rotated
-- (CIS 1.14: 90 days).
M.key_rotation_days = 90

-- root_use_days: use of the root user within this many days is reported
-- (CIS 1.7).
M.root_use_days = 90

---------------------------------------------------------------------------
-- Resources
---------------------------------------------------------------------------

-- name is how titles name a resource: its Name, else its id.
function M.name(resource)
  local n = resource.Name
  if n ~= nil and n ~= "" then
    return tostring(n)
  end
  return tostring(resource.ResourceId or "?")
end

-- unknown reports whether a field is one the input could not know (a
-- Terraform plan lists them in UnknownFields).
function M.unknown(resource, field)
  for _, f in ipairs(resource.UnknownFields or {}) do
    if f == field then
      return true
    end
  end
  return false
end

-- days_since returns the days between a date (RFC 3339) and now, or nil
-- for no date: null, "N/A", "no_information", and the credential report's
-- 0001-01-01T00:00:00Z.
function M.days_since(ts)
  if ts == nil or type(ts) ~= "string" or ts == "" or ts == "N/A" or ts:sub(1, 4) == "0001" then
    return nil
  end
  local t = time.parse(ts)
  if t == nil or t < 0 then
    return nil
  end
  return (time.now() - t) / 86400
end

---------------------------------------------------------------------------
-- Network rules
---------------------------------------------------------------------------

local WORLD4 = { ["0.0.0.0/0"] = true }
local WORLD6 = { ["::/0"] = true }

-- world_sources lists which of "0.0.0.0/0" and "::/0" a security group
-- rule (API shape: IpRanges, Ipv6Ranges) admits.
function M.world_sources(perm)
  local v4, v6 = false, false
  for _, r in ipairs(perm.IpRanges or {}) do
    if type(r) == "string" then
      v4 = v4 or WORLD4[r] == true
    elseif WORLD4[r.CidrIp or ""] then
      v4 = true
    end
  end
  for _, r in ipairs(perm.Ipv6Ranges or {}) do
    if WORLD6[r.CidrIpv6 or ""] then
      v6 = true
    end
  end
  return v4, v6
end

-- covers reports whether a rule with this protocol and port range covers
-- port: all traffic (-1), or TCP/UDP with the port in range. Null ports
-- mean every port.
function M.covers(protocol, from, to, port)
  protocol = tostring(protocol or "-1")
  if protocol == "-1" or protocol == "all" then
    return true
  end
  if protocol ~= "tcp" and protocol ~= "udp" and protocol ~= "6" and protocol ~= "17" then
    return false
  end
  if from == nil and to == nil then
    return true
  end
  from = tonumber(from) or 0
  to = tonumber(to) or 65535
  if from == -1 or to == -1 then
    return true
  end
  return from <= port and port <= to
end

-- open_port returns the first of ports that a security group rule opens to
-- the world (v4 and/or v6 as asked), or nil.
function M.open_port(perm, ports, want_v4, want_v6)
  local v4, v6 = M.world_sources(perm)
  if not ((want_v4 and v4) or (want_v6 and v6)) then
    return nil
  end
  for _, port in ipairs(ports) do
    if M.covers(perm.IpProtocol, perm.FromPort, perm.ToPort, port) then
      return port
    end
  end
  return nil
end

return M
