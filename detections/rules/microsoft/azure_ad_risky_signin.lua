local microsoft = require("microsoft")

local SIGNINS = {SignInLogs = true, NonInteractiveUserSignInLogs = true}
local RISKY_STATES = {atRisk = true, confirmedCompromised = true}

function rule(event)
  if not SIGNINS[event.category] or tostring(event.resultType) ~= "0" then
    return false
  end
  local p = function(k) return microsoft.prop(event, k) end
  return p("riskLevelDuringSignIn") == "high" or p("riskLevelAggregated") == "high" or RISKY_STATES[p("riskState") or ""] == true
end

function title(event)
  return string.format("High-risk sign-in by %s from %s", microsoft.signin_user(event), microsoft.signin_ip(event) or "?")
end

function dedup(event)
  return string.lower(microsoft.signin_user(event))
end

function alert_context(event)
  local ctx = microsoft.azure_context(event)
  ctx.risk_level = microsoft.prop(event, "riskLevelDuringSignIn")
  ctx.risk_state = microsoft.prop(event, "riskState")
  ctx.risk_events = microsoft.prop(event, "riskEventTypes_v2")
  ctx.location = microsoft.prop(event, "location", "countryOrRegion")
  return ctx
end
