-- c is the correlation: c.key (the account), c.steps.RootLogin and
-- c.steps.LeftOrg, each match with its alert_context.

local function ctx(c, step, field)
  return c:get("steps", step, 1, "alert_context", field)
end

function title(c)
  local from = ctx(c, "RootLogin", "source_ip")
  local mfa = ctx(c, "RootLogin", "mfa_used")
  return string.format("Root signed in to %s%s%s, then the account left its AWS Organization", c.key,
    from and (" from " .. from) or "", mfa and (" (MFA: " .. mfa .. ")") or "")
end

function alert_context(c)
  return {
    account = c.key,
    login_ip = ctx(c, "RootLogin", "source_ip"),
    mfa_used = ctx(c, "RootLogin", "mfa_used"),
    login_user_agent = ctx(c, "RootLogin", "user_agent"),
    left_by = ctx(c, "LeftOrg", "actor"),
    left_from = ctx(c, "LeftOrg", "source_ip"),
  }
end
