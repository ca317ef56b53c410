local okta = require("okta")

local CHANGES = {
  ["policy.lifecycle.deactivate"] = { what = "policy", verb = "deactivated" },
  ["policy.lifecycle.delete"] = { what = "policy", verb = "deleted" },
  ["policy.rule.deactivate"] = { what = "rule", verb = "deactivated" },
  ["policy.rule.delete"] = { what = "rule", verb = "deleted" },
  ["system.mfa.factor.deactivate"] = { what = "factor", verb = "deactivated for the whole org" },
}

-- Policy types that decide who signs in and with which factors. Others
-- (IdP discovery, profile enrolment, ...) route users but do not protect
-- anything by themselves.
local PROTECTING = {
  OKTA_SIGN_ON = "global session policy",
  ACCESS_POLICY = "authentication policy",
  MFA_ENROLL = "authenticator enrollment policy",
  PASSWORD = "password policy",
}

function rule(event)
  return CHANGES[event.eventType] ~= nil and not okta.failed(event)
end

-- policy_type is the detailEntry.policyType of the PolicyEntity target.
local function policy_type(event)
  local p = okta.target(event, "PolicyEntity")
  if p == nil or p.detailEntry == nil then
    return nil
  end
  return p.detailEntry.policyType
end

local function policy_name(event)
  return okta.name(okta.target(event, "PolicyEntity"))
end

local function rule_name(event)
  return okta.name(okta.target(event, "PolicyRule"))
end

local function kind(event)
  return PROTECTING[policy_type(event) or ""] or "policy"
end

function title(event)
  local c = CHANGES[event.eventType]
  local actor = okta.actor(event)
  if c.what == "factor" then
    local factor = okta.name(event:get("target", 1))
    if factor == nil then
      return string.format("Okta MFA factor type %s by %s", c.verb, actor)
    end
    return string.format("Okta MFA factor %s %s by %s", factor, c.verb, actor)
  end
  if c.what == "rule" then
    return string.format("Okta rule %s of %s %s %s by %s", rule_name(event) or "unknown",
      kind(event), policy_name(event) or "unknown", c.verb, actor)
  end
  return string.format("Okta %s %s %s by %s", kind(event), policy_name(event) or "unknown", c.verb, actor)
end

-- Several rules of one policy switched off together are one change.
function dedup(event)
  if CHANGES[event.eventType].what == "factor" then
    return "org MFA factors"
  end
  return policy_name(event) or rule_name(event) or "unknown policy"
end

-- Sign-on, authentication, enrolment and password policies, and factors
-- turned off for everyone, protect every account: High. Other policy types
-- and changes whose policy type Okta did not record stay Medium.
function severity(event)
  if CHANGES[event.eventType].what == "factor" or PROTECTING[policy_type(event) or ""] then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.policy = policy_name(event)
  ctx.policy_type = policy_type(event)
  ctx.policy_rule = rule_name(event)
  ctx.change = event.eventType
  return ctx
end
