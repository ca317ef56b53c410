local gcp = require("gcp")

-- reductions lists what the call took out of the audit config: a log type
-- removed for a service, or a member exempted from one.
local function reductions(event)
  local out = {}
  local deltas = event:get("protoPayload", "serviceData", "policyDelta", "auditConfigDeltas")
  if type(deltas) ~= "table" then
    return out
  end
  for _, d in ipairs(deltas) do
    if type(d) == "table" then
      local service, log_type = d.service or "?", d.logType or "all log types"
      if d.action == "REMOVE" and (d.exemptedMember == nil or d.exemptedMember == "") then
        table.insert(out, { text = log_type .. " off for " .. service, service = service })
      elseif d.action == "ADD" and d.exemptedMember ~= nil and d.exemptedMember ~= "" then
        table.insert(out, { text = d.exemptedMember .. " exempted from " .. log_type .. " of " .. service, service = service, exempt = true })
      end
    end
  end
  return out
end

local function describe(list)
  local parts = {}
  for _, r in ipairs(list) do
    table.insert(parts, r.text)
  end
  return table.concat(parts, "; ")
end

function rule(event)
  return not gcp.failed(event) and #reductions(event) > 0
end

function title(event)
  return string.format("GCP Data Access audit logging reduced in %s by %s (%s)",
    gcp.scope(event), gcp.principal(event), describe(reductions(event)))
end

function dedup(event)
  return gcp.scope(event)
end

-- Turning logs off for every service, or exempting someone (whose reads
-- then leave no trace), is High.
function severity(event)
  for _, r in ipairs(reductions(event)) do
    if r.service == "allServices" or r.exempt then
      return "High"
    end
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.reductions = describe(reductions(event))
  return ctx
end
