local gcp = require("gcp")

-- Remote administration ports: SSH and RDP.
local ADMIN_PORTS = { [22] = "SSH", [3389] = "RDP" }
local WORLD = { ["0.0.0.0/0"] = true, ["::/0"] = true }

local function is_firewall_write(event)
  local m = gcp.method(event)
  return m:match("compute%.firewalls%.insert$") or m:match("compute%.firewalls%.patch$")
    or m:match("compute%.firewalls%.update$")
end

local function list(v)
  if type(v) ~= "table" then
    return {}
  end
  return v
end

-- covers reports whether a port spec ("22", "20-30") includes port p.
local function covers(spec, p)
  local lo, hi = tostring(spec):match("^(%d+)%-(%d+)$")
  if lo then
    return p >= tonumber(lo) and p <= tonumber(hi)
  end
  return tonumber(spec) == p
end

-- opened returns the admin services an allow rule opens ("SSH", "RDP").
local function opened(request)
  local found, seen = {}, {}
  local allowed = request.alloweds or request.allowed
  for _, a in ipairs(list(allowed)) do
    if type(a) == "table" then
      local proto = (a.IPProtocol or ""):lower()
      if proto == "tcp" or proto == "all" or proto == "6" then
        local ports = list(a.ports)
        for p, name in pairs(ADMIN_PORTS) do
          local hit = #ports == 0
          for _, spec in ipairs(ports) do
            hit = hit or covers(spec, p)
          end
          if hit and not seen[name] then
            seen[name] = true
            table.insert(found, name)
          end
        end
      end
    end
  end
  table.sort(found)
  return found
end

local function from_anywhere(request)
  for _, r in ipairs(list(request.sourceRanges)) do
    if WORLD[r] then
      return true
    end
  end
  return false
end

local function request(event)
  return event:get("protoPayload", "request")
end

function rule(event)
  if not is_firewall_write(event) or gcp.failed(event) then
    return false
  end
  local r = request(event)
  if type(r) ~= "table" or r.disabled == true then
    return false
  end
  if r.direction ~= nil and r.direction ~= "INGRESS" then
    return false
  end
  return from_anywhere(r) and #opened(r) > 0
end

local function name(event)
  return request(event).name or gcp.short(gcp.resource(event))
end

function title(event)
  return string.format("GCP firewall rule %s opens %s to the internet in project %s (by %s)",
    name(event), table.concat(opened(request(event)), " and "), gcp.project(event), gcp.principal(event))
end

function dedup(event)
  return gcp.project(event) .. ":" .. name(event)
end

function alert_context(event)
  local ctx = gcp.context(event)
  local r = request(event)
  ctx.firewall_rule = name(event)
  ctx.network = r.network
  ctx.opened = table.concat(opened(r), ", ")
  local tags = {}
  for _, t in ipairs(list(r.targetTags)) do
    table.insert(tags, t)
  end
  -- No target tags or service accounts: every instance of the network.
  ctx.target_tags = #tags > 0 and table.concat(tags, ",") or "all instances"
  return ctx
end
