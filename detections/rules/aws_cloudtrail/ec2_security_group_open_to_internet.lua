local aws = require("aws")

local WORLD = { ["0.0.0.0/0"] = true, ["::/0"] = true }
local ICMP = { icmp = true, ["1"] = true, icmpv6 = true, ["58"] = true }

-- The sensitive ports (names) a rule from `from` to `to` over `proto`
-- covers; all of them for protocol -1 (every protocol and port).
local function exposed_ports(proto, from, to)
  proto = tostring(proto or ""):lower()
  if ICMP[proto] then
    return {}
  end
  local out = {}
  if proto == "-1" then
    table.insert(out, "all ports")
    return out
  end
  from, to = tonumber(from), tonumber(to)
  if from == nil or to == nil then
    return out
  end
  if from == -1 and to == -1 then
    table.insert(out, "all ports")
    return out
  end
  local ports = {}
  for port, _ in pairs(aws.sensitive_ports) do
    if port >= from and port <= to then
      table.insert(ports, port)
    end
  end
  table.sort(ports)
  for _, port in ipairs(ports) do
    table.insert(out, port .. "/" .. aws.sensitive_ports[port])
  end
  return out
end

-- Every (cidr, ports) the call opens to the world, as strings.
local function findings(event)
  local rp = event.requestParameters
  local out = {}
  if rp == nil then
    return out
  end
  local function add(cidr, proto, from, to)
    if WORLD[cidr or ""] then
      for _, p in ipairs(exposed_ports(proto, from, to)) do
        table.insert(out, p .. " from " .. cidr)
      end
    end
  end
  if event.eventName == "AuthorizeSecurityGroupIngress" then
    for _, perm in ipairs(aws.list(rp:get("ipPermissions", "items"))) do
      for _, r in ipairs(aws.list(perm:get("ipRanges", "items"))) do
        add(r.cidrIp, perm.ipProtocol, perm.fromPort, perm.toPort)
      end
      for _, r in ipairs(aws.list(perm:get("ipv6Ranges", "items"))) do
        add(r.cidrIpv6, perm.ipProtocol, perm.fromPort, perm.toPort)
      end
    end
    -- The older single-rule form of the same call.
    if rp.cidrIp then
      add(rp.cidrIp, rp.ipProtocol, rp.fromPort, rp.toPort)
    end
  elseif event.eventName == "ModifySecurityGroupRules" then
    local req = rp.ModifySecurityGroupRulesRequest
    if req ~= nil then
      for _, wrap in ipairs(aws.list(req.SecurityGroupRule)) do
        local r = wrap.SecurityGroupRule or wrap
        add(r.CidrIpv4, r.IpProtocol, r.FromPort, r.ToPort)
        add(r.CidrIpv6, r.IpProtocol, r.FromPort, r.ToPort)
      end
    end
  end
  return out
end

function rule(event)
  if event.eventSource ~= "ec2.amazonaws.com"
    or (event.eventName ~= "AuthorizeSecurityGroupIngress" and event.eventName ~= "ModifySecurityGroupRules")
    or aws.failed(event) then
    return false
  end
  return #findings(event) > 0
end

local function group(event)
  return event:get("requestParameters", "groupId")
    or event:get("requestParameters", "ModifySecurityGroupRulesRequest", "GroupId")
    or event:get("requestParameters", "groupName") or "?"
end

function title(event)
  local f = findings(event)
  local more = ""
  if #f > 1 then
    more = string.format(" (+%d more)", #f - 1)
  end
  return string.format("Security group %s opened to the internet: %s%s by %s in %s",
    group(event), f[1], more, aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. group(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    security_group = group(event),
    exposed = table.concat(findings(event), "; "),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
