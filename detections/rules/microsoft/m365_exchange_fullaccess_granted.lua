local microsoft = require("microsoft")

local function rights(event)
  return microsoft.param(event, "AccessRights") or ""
end

local function grantee(event)
  return microsoft.param(event, "User") or microsoft.param(event, "Trustee") or "unknown user"
end

local function mailbox(event)
  return microsoft.param(event, "Identity") or event.ObjectId or "unknown mailbox"
end

function rule(event)
  local op = event.Operation
  if op == "Add-MailboxPermission" then
    return string.find(rights(event), "FullAccess", 1, true) ~= nil
  end
  return op == "Add-RecipientPermission" and string.find(rights(event), "SendAs", 1, true) ~= nil
end

function title(event)
  return string.format("%s given %s to mailbox %s by %s", grantee(event), rights(event), mailbox(event), microsoft.user(event))
end

function dedup(event)
  return mailbox(event) .. ":" .. grantee(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.mailbox = mailbox(event)
  ctx.grantee = grantee(event)
  ctx.access_rights = rights(event)
  return ctx
end
