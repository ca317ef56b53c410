-- c is the correlation: c.key (the account), c.steps.GuardDutyOff and
-- c.steps.TrailOff, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

-- A field of both halves, once each ("a" or "a and b"), or nil.
local function both(c, field)
  local a, b = ctx(c, "GuardDutyOff", field), ctx(c, "TrailOff", field)
  if a and b and a ~= b then
    return a .. " and " .. b
  end
  return a or b
end

local function actors(c)
  local who = both(c, "actor")
  return who and (" by " .. who) or ""
end

function title(c)
  return string.format("GuardDuty and CloudTrail both switched off in %s%s", c.key, actors(c))
end

function alert_context(c)
  return {
    account = c.key,
    guardduty_change = ctx(c, "GuardDutyOff", "change"),
    guardduty_actor = ctx(c, "GuardDutyOff", "actor"),
    trail = ctx(c, "TrailOff", "trail"),
    trail_action = ctx(c, "TrailOff", "action"),
    trail_actor = ctx(c, "TrailOff", "actor"),
    source_ip = both(c, "source_ip"),
  }
end
