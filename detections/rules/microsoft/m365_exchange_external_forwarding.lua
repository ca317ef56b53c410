local microsoft = require("microsoft")

local function destination(event)
  local to = microsoft.param(event, "ForwardingSmtpAddress") or microsoft.param(event, "ForwardingAddress")
    or microsoft.param(event, "RedirectMessageTo") or microsoft.param(event, "BlindCopyTo")
  if to == nil or to == "" then
    return nil
  end
  return (string.gsub(to, "^[Ss][Mm][Tt][Pp]:", ""))
end

local function mailbox(event)
  return microsoft.param(event, "Identity") or event.ObjectId or "unknown mailbox"
end

function rule(event)
  local op = event.Operation
  if op ~= "Set-Mailbox" and op ~= "New-TransportRule" and op ~= "Set-TransportRule" then
    return false
  end
  local to = destination(event)
  return to ~= nil and microsoft.is_external(to)
end

function title(event)
  return string.format("Mailbox %s forwards to %s", mailbox(event), destination(event))
end

function dedup(event)
  return mailbox(event) .. ":" .. destination(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.mailbox = mailbox(event)
  ctx.forward_to = destination(event)
  ctx.keep_copy = microsoft.param(event, "DeliverToMailboxAndForward")
  return ctx
end
