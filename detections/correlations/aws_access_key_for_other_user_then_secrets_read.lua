-- c is the correlation: c.key (the new access key), c.steps.KeyCreated
-- and c.steps.SecretsRead (one match a distinct secret), each match with
-- its alert_context.

local function ctx(c, step, i, field)
  return c:get("steps", step, i, "alert_context", field)
end

local MAX_LISTED = 20

function title(c)
  local target = ctx(c, "KeyCreated", 1, "target_user")
  local by = ctx(c, "KeyCreated", 1, "actor")
  return string.format("Access key %s created for %s%s, then used to read %d different secrets", c.key,
    target or "another user", by and (" by " .. by) or "", #c.steps.SecretsRead)
end

function alert_context(c)
  local secrets = {}
  for i = 1, math.min(#c.steps.SecretsRead, MAX_LISTED) do
    table.insert(secrets, ctx(c, "SecretsRead", i, "secret") or "?")
  end
  return {
    access_key = c.key,
    account = ctx(c, "KeyCreated", 1, "account"),
    target_user = ctx(c, "KeyCreated", 1, "target_user"),
    created_by = ctx(c, "KeyCreated", 1, "actor"),
    created_from = ctx(c, "KeyCreated", 1, "source_ip"),
    secrets_read = #c.steps.SecretsRead,
    secrets = table.concat(secrets, ", "),
    read_from = ctx(c, "SecretsRead", 1, "source_ip"),
  }
end
