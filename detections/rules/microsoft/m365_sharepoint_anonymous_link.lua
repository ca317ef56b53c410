local microsoft = require("microsoft")

local ANONYMOUS = {AnonymousLinkCreated = true, AnonymousLinkUpdated = true}
local INVITES = {SharingInvitationCreated = true, AddedToSecureLink = true, SharingSet = true}

local function with(event)
  if ANONYMOUS[event.Operation] then
    return "anyone who has the link"
  end
  return event.TargetUserOrGroupName or "a guest"
end

local function file(event)
  local o = event.ObjectId or ""
  return event.SourceFileName or string.match(o, "([^/]+)$") or o
end

function rule(event)
  if ANONYMOUS[event.Operation] then
    return true
  end
  return INVITES[event.Operation] == true and event.TargetUserOrGroupType == "Guest"
end

function title(event)
  return string.format("%s shared %s with %s", microsoft.user(event), file(event), with(event))
end

function dedup(event)
  return event.ObjectId or file(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.object = event.ObjectId
  ctx.shared_with = with(event)
  return ctx
end
