local gsuite = require("gsuite")

local function access(event)
  local scopes = gsuite.param(event, "scope")
  if type(scopes) ~= "table" then
    return nil
  end
  local mail, drive = false, false
  for _, s in ipairs(scopes) do
    if s == "https://mail.google.com/" or string.find(s, "/auth/gmail.", 1, true) then
      mail = true
    elseif s == "https://www.googleapis.com/auth/drive" or s == "https://www.googleapis.com/auth/drive.readonly" then
      drive = true
    end
  end
  if mail and drive then
    return "mail and Drive"
  elseif mail then
    return "mail"
  elseif drive then
    return "Drive"
  end
  return nil
end

local function client(event)
  return gsuite.param(event, "client_id") or gsuite.param(event, "app_name") or "?"
end

function rule(event)
  if gsuite.app(event) ~= "token" or event.name ~= "authorize" then
    return false
  end
  if gsuite.trusted_oauth_clients[client(event)] or gsuite.trusted_oauth_clients[gsuite.param(event, "app_name") or ""] then
    return false
  end
  return access(event) ~= nil
end

function title(event)
  return string.format("%s granted %s access to %s", gsuite.actor(event), gsuite.param(event, "app_name") or client(event), access(event))
end

function dedup(event)
  return gsuite.actor(event) .. ":" .. client(event)
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.app = gsuite.param(event, "app_name")
  ctx.client_id = client(event)
  ctx.scopes = gsuite.param(event, "scope")
  return ctx
end
