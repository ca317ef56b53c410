-- c is the correlation: c.key (the account), c.steps.Shared and
-- c.steps.KeyDestroyed, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

local DONE = { ScheduleKeyDeletion = "scheduled for deletion", DisableKey = "disabled" }

function title(c)
  local what = "Snapshot"
  if ctx(c, "Shared", "resource_kind") then
    what = ctx(c, "Shared", "resource_kind") .. " " .. (ctx(c, "Shared", "resource_id") or "?")
  end
  local to = ctx(c, "Shared", "shared_with")
  local key = ctx(c, "KeyDestroyed", "key")
  return string.format("%s shared%s, then KMS key%s %s in %s", what, to and (" with " .. to) or " outside",
    key and (" " .. (key:match("key/(.+)$") or key)) or "",
    DONE[ctx(c, "KeyDestroyed", "action") or ""] or "disabled or scheduled for deletion", c.key)
end

function alert_context(c)
  return {
    account = c.key,
    resource_kind = ctx(c, "Shared", "resource_kind"),
    resource_id = ctx(c, "Shared", "resource_id"),
    shared_with = ctx(c, "Shared", "shared_with"),
    shared_by = ctx(c, "Shared", "actor"),
    key = ctx(c, "KeyDestroyed", "key"),
    key_action = ctx(c, "KeyDestroyed", "action"),
    deletion_date = ctx(c, "KeyDestroyed", "deletion_date"),
    key_actor = ctx(c, "KeyDestroyed", "actor"),
  }
end
