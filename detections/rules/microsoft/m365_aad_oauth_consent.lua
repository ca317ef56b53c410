local microsoft = require("microsoft")

-- app is the application's display name: the Target entry of Type 1.
local function app(event)
  local targets = event.Target
  if type(targets) == "table" then
    for _, t in ipairs(targets) do
      if t.Type == 1 then
        return t.ID
      end
    end
  end
  return event.ObjectId or "unknown app"
end

local function broad(event)
  local perms = string.lower(microsoft.modified(event, "ConsentAction.Permissions") or "")
  local admin = microsoft.modified(event, "ConsentContext.IsAdminConsent") == "True"
  return admin or string.find(perms, "mail.", 1, true) ~= nil or string.find(perms, "files.readwrite.all", 1, true) ~= nil
    or string.find(perms, "files.read.all", 1, true) ~= nil
end

function rule(event)
  return event.Operation == "Consent to application." and not microsoft.known_apps[app(event)]
end

function title(event)
  return string.format("%s consented to %s", microsoft.user(event), app(event))
end

function dedup(event)
  return microsoft.user(event) .. ":" .. app(event)
end

function severity(event)
  if broad(event) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.app = app(event)
  ctx.permissions = microsoft.modified(event, "ConsentAction.Permissions")
  ctx.admin_consent = microsoft.modified(event, "ConsentContext.IsAdminConsent")
  return ctx
end
