-- c is the correlation: c.key ("account, region") and c.steps.Stopped,
-- the stop that was not followed by a start, with its alert_context.

local function ctx(c, field)
  return c:get("steps", "Stopped", 1, "alert_context", field)
end

local WHAT = {
  StopConfigurationRecorder = "recorder stopped",
  DeleteConfigurationRecorder = "recorder deleted",
  DeleteDeliveryChannel = "delivery channel deleted",
}

function title(c)
  local where = c.key
  if ctx(c, "account") and ctx(c, "region") then
    where = ctx(c, "account") .. " " .. ctx(c, "region")
  end
  local how = ""
  if ctx(c, "action") then
    how = string.format(" (%s%s)", WHAT[ctx(c, "action")] or ctx(c, "action"),
      ctx(c, "actor") and (" by " .. ctx(c, "actor")) or "")
  end
  return string.format("AWS Config left off for an hour in %s%s", where, how)
end

function alert_context(c)
  return {
    account = ctx(c, "account"),
    region = ctx(c, "region"),
    action = ctx(c, "action"),
    name = ctx(c, "name"),
    actor = ctx(c, "actor"),
    source_ip = ctx(c, "source_ip"),
    stopped_at = c:get("steps", "Stopped", 1, "p_event_time"),
  }
end
