local gsuite = require("gsuite")

local function destination(event)
  return gsuite.param(event, "email_forwarding_destination_address")
end

function rule(event)
  if gsuite.app(event) ~= "user_accounts" then
    return false
  end
  local name = event.name
  if name ~= "email_forwarding_out_of_domain" and name ~= "email_forwarding_change" then
    return false
  end
  local to = destination(event)
  return to ~= nil and to ~= "" and not gsuite.is_internal(to)
end

function title(event)
  return string.format("%s forwards mail to %s", gsuite.actor(event), destination(event))
end

function dedup(event)
  return gsuite.actor(event) .. ":" .. destination(event)
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.forward_to = destination(event)
  return ctx
end
