-- c is the correlation: c.key (the instance ID), c.steps.UserDataModified
-- and c.steps.CredentialsUsed, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

function title(c)
  local by = ctx(c, "UserDataModified", "actor")
  local from = ctx(c, "CredentialsUsed", "source_ip")
  return string.format("User data of %s changed%s, then its credentials used from %s",
    c.key, by and (" by " .. by) or "", from or "outside")
end

function alert_context(c)
  return {
    instance_id = c.key,
    account = ctx(c, "UserDataModified", "account"),
    modified_by = ctx(c, "UserDataModified", "actor"),
    modified_from = ctx(c, "UserDataModified", "source_ip"),
    role = ctx(c, "CredentialsUsed", "role"),
    client = ctx(c, "CredentialsUsed", "client"),
    used_from = ctx(c, "CredentialsUsed", "source_ip"),
    first_call = ctx(c, "CredentialsUsed", "action"),
  }
end
