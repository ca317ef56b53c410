local netmon = require("netmon")

-- \\host\ADMIN$ and the drive shares \\host\C$, \\host\D$... (any case).
local ADMIN_SHARE = [[(?i)\\(ADMIN|[A-Z])\$$]]

local function share(event)
  local path = event.path
  if type(path) ~= "string" then
    return nil
  end
  return re.find(ADMIN_SHARE, path)
end

function rule(event)
  return share(event) ~= nil and not netmon.in_list(event["id.orig_h"], netmon.admin_hosts)
end

local function name(event)
  return string.upper(string.sub(share(event), 2))
end

function title(event)
  return string.format("%s mapped admin share %s on %s",
    event["id.orig_h"] or "?", name(event), event["id.resp_h"] or "?")
end

-- One source: an attacker with admin credentials walks through many hosts.
function dedup(event)
  return event["id.orig_h"] or "?"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    first_target = event["id.resp_h"],
    path = event.path,
    share = name(event),
    share_type = event.share_type,
    native_file_system = event.native_file_system,
    uid = event.uid,
  }
end
