local microsoft = require("microsoft")

local HIDDEN_FOLDERS = {["rss subscriptions"] = true, ["rss feeds"] = true, ["conversation history"] = true,
  ["archive"] = true, ["junk email"] = true, ["deleted items"] = true}
local OPS = {["New-InboxRule"] = true, ["Set-InboxRule"] = true, ["UpdateInboxRules"] = true}

-- action describes what makes the rule suspicious, or nil.
local function action(event)
  for _, p in ipairs({"ForwardTo", "ForwardAsAttachmentTo", "RedirectTo"}) do
    local to = microsoft.param(event, p)
    if to ~= nil and to ~= "" then
      for addr in string.gmatch(to, "[^;,]+") do
        if microsoft.is_external(addr) then
          return "forwards to " .. addr
        end
      end
    end
  end
  if microsoft.param(event, "DeleteMessage") == "True" or microsoft.param(event, "SoftDeleteMessage") == "True" then
    return "deletes mail"
  end
  local folder = microsoft.param(event, "MoveToFolder")
  if folder ~= nil and HIDDEN_FOLDERS[string.lower(folder)] then
    return "moves mail to " .. folder
  end
  return nil
end

local function name(event)
  return microsoft.param(event, "Name") or "?"
end

function rule(event)
  return OPS[event.Operation] == true and action(event) ~= nil
end

function title(event)
  return string.format("Inbox rule %q of %s %s", name(event), microsoft.user(event), action(event))
end

function dedup(event)
  return microsoft.user(event) .. ":" .. name(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.rule_name = name(event)
  ctx.action = action(event)
  ctx.conditions = microsoft.param(event, "SubjectOrBodyContainsWords") or microsoft.param(event, "From")
  return ctx
end
