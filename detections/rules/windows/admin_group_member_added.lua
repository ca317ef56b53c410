local windows = require("windows")

-- The administrators' groups: BUILTIN\Administrators, and the domain's
-- Domain Admins (512), Schema Admins (518), Enterprise Admins (519).
local function admin_group(sid)
  if sid == nil then
    return false
  end
  if sid == "S-1-5-32-544" then
    return true
  end
  local rid = string.match(sid, "^S%-1%-5%-21%-[%d%-]+%-(%d+)$")
  return rid == "512" or rid == "518" or rid == "519"
end

local function member(event)
  return windows.data(event, "MemberName") or windows.data(event, "MemberSid") or "unknown member"
end

local function group(event)
  return windows.data(event, "TargetUserName") or windows.data(event, "TargetSid") or "unknown group"
end

function rule(event)
  local id = windows.id(event)
  if not windows.is_security(event) or (id ~= 4732 and id ~= 4728 and id ~= 4756) then
    return false
  end
  return admin_group(windows.data(event, "TargetSid"))
end

function title(event)
  return string.format("%s added to %s on %s by %s", member(event), group(event), windows.host(event), windows.user(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. group(event) .. ":" .. (windows.data(event, "MemberSid") or member(event))
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.member = member(event)
  ctx.member_sid = windows.data(event, "MemberSid")
  ctx.group = group(event)
  return ctx
end
