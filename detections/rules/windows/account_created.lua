local windows = require("windows")

local function account(event)
  return windows.data(event, "TargetUserName") or "unknown account"
end

function rule(event)
  return windows.id(event) == 4720 and windows.is_security(event)
end

function title(event)
  return string.format("Account %s created on %s by %s", account(event), windows.host(event), windows.user(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. account(event)
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.account = account(event)
  return ctx
end
