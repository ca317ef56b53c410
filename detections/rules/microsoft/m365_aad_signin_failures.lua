local microsoft = require("microsoft")

function rule(event)
  return event.Operation == "UserLoginFailed"
end

function title(event)
  return "Microsoft 365 sign-in failures for " .. microsoft.user(event)
end

function dedup(event)
  return string.lower(microsoft.user(event))
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.logon_error = event.LogonError
  return ctx
end
