-- c is the correlation: c.key ("account, region"), c.steps.FlowLogsDeleted
-- and c.steps.GroupOpened, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

local function both(c, field)
  local a, b = ctx(c, "FlowLogsDeleted", field), ctx(c, "GroupOpened", field)
  if a and b and a ~= b then
    return a .. " and " .. b
  end
  return a or b
end

-- "account region", from the keys both matches carry.
local function where(c)
  local account, region = ctx(c, "GroupOpened", "account"), ctx(c, "GroupOpened", "region")
  if account and region then
    return account .. " " .. region
  end
  return c.key
end

function title(c)
  local who = both(c, "actor")
  local sg = ctx(c, "GroupOpened", "security_group")
  return string.format("VPC flow logs deleted, then %s opened to the internet in %s%s",
    sg and ("security group " .. sg) or "a security group", where(c), who and (" by " .. who) or "")
end

function alert_context(c)
  return {
    account = ctx(c, "GroupOpened", "account"),
    region = ctx(c, "GroupOpened", "region"),
    flow_logs = ctx(c, "FlowLogsDeleted", "flow_logs"),
    security_group = ctx(c, "GroupOpened", "security_group"),
    exposed = ctx(c, "GroupOpened", "exposed"),
    actor = both(c, "actor"),
    source_ip = both(c, "source_ip"),
  }
end
