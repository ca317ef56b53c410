local gcp = require("gcp")

local ACM = "google.identity.accesscontextmanager.v1.AccessContextManager."
local ORGPOLICY = "google.cloud.orgpolicy.v2.OrgPolicy."

-- method = {what, verb, removes}: removes marks calls that take a guard
-- away outright.
local CHANGES = {
  SetOrgPolicy = { "organization policy", "set", false },
  ClearOrgPolicy = { "organization policy", "cleared", true },
  [ORGPOLICY .. "CreatePolicy"] = { "organization policy", "created", false },
  [ORGPOLICY .. "UpdatePolicy"] = { "organization policy", "updated", false },
  [ORGPOLICY .. "DeletePolicy"] = { "organization policy", "deleted", true },
  [ACM .. "UpdateServicePerimeter"] = { "VPC Service Controls perimeter", "updated", false },
  [ACM .. "DeleteServicePerimeter"] = { "VPC Service Controls perimeter", "deleted", true },
  [ACM .. "ReplaceServicePerimeters"] = { "VPC Service Controls perimeters", "replaced", false },
  [ACM .. "CommitServicePerimeters"] = { "VPC Service Controls perimeters", "committed", false },
  [ACM .. "UpdateAccessLevel"] = { "access level", "updated", false },
  [ACM .. "DeleteAccessLevel"] = { "access level", "deleted", true },
  [ACM .. "DeleteAccessPolicy"] = { "access policy", "deleted", true },
}

function rule(event)
  return CHANGES[gcp.method(event)] ~= nil and not gcp.failed(event)
end

-- relaxes reports a request that turns a constraint off ("enforce": false,
-- or allowing every value), read from the request as JSON text so that
-- both the v1 and v2 shapes are covered.
local function relaxes(event)
  local req = event:get("protoPayload", "request")
  if req == nil then
    return false
  end
  local s = tostring(req):gsub("%s", "")
  return s:find('"enforce":false', 1, true) ~= nil or s:find('"allowAll":true', 1, true) ~= nil
    or s:find('"allValues":"ALLOW"', 1, true) ~= nil
end

-- constraint or perimeter the call is about.
local function subject(event)
  local name = event:get("protoPayload", "request", "policy", "constraint")
    or event:get("protoPayload", "request", "constraint")
    or event:get("protoPayload", "request", "policy", "name")
    or event:get("protoPayload", "request", "name")
    or gcp.resource(event)
  return name
end

function title(event)
  local c = CHANGES[gcp.method(event)]
  local relaxed = relaxes(event) and " to allow everything" or ""
  return string.format("GCP %s %s %s%s by %s in %s", c[1], gcp.short(subject(event)) or "unknown", c[2],
    relaxed, gcp.principal(event), gcp.scope(event))
end

function dedup(event)
  return gcp.scope(event) .. ":" .. (subject(event) or "")
end

-- Deleting or clearing a guard, or setting it to allow everything, is High.
function severity(event)
  if CHANGES[gcp.method(event)][3] or relaxes(event) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.subject = subject(event)
  ctx.relaxed = relaxes(event)
  return ctx
end
