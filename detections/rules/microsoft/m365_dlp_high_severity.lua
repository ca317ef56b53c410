local microsoft = require("microsoft")

-- high_rule is the name of the first High severity rule matched, or nil.
local function high_rule(event)
  local policies = event.PolicyDetails
  if type(policies) ~= "table" then
    return nil
  end
  for _, p in ipairs(policies) do
    if type(p.Rules) == "table" then
      for _, r in ipairs(p.Rules) do
        if r.Severity == "High" then
          return r.RuleName or p.PolicyName or "unnamed rule"
        end
      end
    end
  end
  return nil
end

function rule(event)
  return event.Operation == "DlpRuleMatch" and high_rule(event) ~= nil
end

function title(event)
  return string.format("DLP: %s matched for %s", high_rule(event), microsoft.user(event))
end

function dedup(event)
  return microsoft.user(event) .. ":" .. high_rule(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.rule_name = high_rule(event)
  ctx.object = event.ObjectId
  ctx.recipients = event:get("ExchangeMetaData", "To")
  return ctx
end
