local compliance = require("compliance")

local WORLD = { ["0.0.0.0/0"] = true, ["::/0"] = true }

-- open finds, for an admin port, the first inbound entry from the world
-- that decides it; returns the port, source and rule number when it allows.
local function open(resource)
  local entries = {}
  for _, e in ipairs(resource.Entries or {}) do
    if e.Egress ~= true then
      table.insert(entries, e)
    end
  end
  table.sort(entries, function(a, b) return (tonumber(a.RuleNumber) or 0) < (tonumber(b.RuleNumber) or 0) end)
  for _, port in ipairs(compliance.admin_ports) do
    for _, src in ipairs({ "0.0.0.0/0", "::/0" }) do
      for _, e in ipairs(entries) do
        local cidr = e.CidrBlock or e.Ipv6CidrBlock
        if cidr == src and WORLD[cidr] then
          local from, to = e:get("PortRange", "From"), e:get("PortRange", "To")
          if compliance.covers(e.Protocol, from, to, port) then
            if e.RuleAction == "allow" then
              return port, src, e.RuleNumber
            end
            break -- denied first
          end
        end
      end
    end
  end
  return nil
end

function policy(resource)
  return open(resource) == nil
end

function title(resource)
  local port, src, rule = open(resource)
  return string.format("Network ACL %s allows port %s from %s (rule %s)", resource.NetworkAclId or resource.ResourceId,
    tostring(port), src or "?", tostring(rule))
end
