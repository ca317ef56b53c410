local microsoft = require("microsoft")

local TRAVEL = {impossibleTravel = true, newCountry = true, unlikelyTravel = true}

local function country(event)
  return microsoft.prop(event, "location", "countryOrRegion") or event.location or "?"
end

function rule(event)
  local kinds = microsoft.prop(event, "riskEventTypes_v2") or microsoft.prop(event, "riskEventTypes")
  if type(kinds) ~= "table" then
    return false
  end
  for _, k in ipairs(kinds) do
    if TRAVEL[k] then
      return true
    end
  end
  return false
end

function title(event)
  return string.format("Impossible travel candidate: %s signed in from %s (%s)", microsoft.signin_user(event), country(event), microsoft.signin_ip(event) or "?")
end

function dedup(event)
  return string.lower(microsoft.signin_user(event)) .. ":" .. country(event)
end

function alert_context(event)
  local ctx = microsoft.azure_context(event)
  ctx.country = country(event)
  ctx.risk_events = microsoft.prop(event, "riskEventTypes_v2")
  ctx.result = event.resultType
  return ctx
end
