local windows = require("windows")

local function cleared(event)
  local c = windows.data(event, "LogFileCleared")
  if type(c) == "table" then
    return c
  end
  return nil
end

local function who(event)
  local c = cleared(event)
  local user = windows.data(event, "SubjectUserName")
  local domain = windows.data(event, "SubjectDomainName")
  if c ~= nil then
    user = user or c.SubjectUserName
    domain = domain or c.SubjectDomainName
  end
  if user == nil then
    return "unknown user"
  end
  if domain ~= nil then
    return domain .. "\\" .. user
  end
  return user
end

-- which log: 1102 is the Security log; 104 names its log in Channel.
local function which(event)
  if windows.id(event) == 1102 then
    return "Security"
  end
  local c = cleared(event)
  return windows.data(event, "Channel") or (c and c.Channel) or "unknown"
end

function rule(event)
  local id = windows.id(event)
  if id == 1102 then
    return windows.is_security(event)
  end
  return id == 104 and windows.channel(event) == "System"
end

function title(event)
  return string.format("%s log cleared on %s by %s", which(event), windows.host(event), who(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. which(event)
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.user = who(event)
  ctx.log = which(event)
  return ctx
end
