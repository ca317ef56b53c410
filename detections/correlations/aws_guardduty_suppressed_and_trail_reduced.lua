-- c is the correlation: c.key (the account), c.steps.FindingsSuppressed
-- and c.steps.LoggingReduced, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

-- A field of both halves, once each ("a" or "a and b"), or nil.
local function both(c, field)
  local a, b = ctx(c, "FindingsSuppressed", field), ctx(c, "LoggingReduced", field)
  if a and b and a ~= b then
    return a .. " and " .. b
  end
  return a or b
end

function title(c)
  local who = both(c, "actor")
  return string.format("GuardDuty findings suppressed and CloudTrail logging reduced in %s%s",
    c.key, who and (" by " .. who) or "")
end

function alert_context(c)
  return {
    account = c.key,
    suppression = ctx(c, "FindingsSuppressed", "suppression"),
    ip_list_location = ctx(c, "FindingsSuppressed", "ip_list_location"),
    trail = ctx(c, "LoggingReduced", "trail"),
    reduced = ctx(c, "LoggingReduced", "reduced"),
    actor = both(c, "actor"),
    source_ip = both(c, "source_ip"),
  }
end
