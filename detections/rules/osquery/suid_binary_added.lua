local osquery = require("osquery")

-- osquery's suid_bin table (incident-response pack: "suid_bin"), or any
-- query returning its path, username, groupname and permissions.
local function is_suid_row(event)
  return osquery.query_is(event, { "suid_bin" })
    or (osquery.col(event, "permissions") ~= nil and osquery.col(event, "groupname") ~= nil
      and osquery.col(event, "path") ~= nil)
end

local function path(event)
  return osquery.col(event, "path")
end

function rule(event)
  return osquery.added(event) and is_suid_row(event) and path(event) ~= nil
end

function title(event)
  return string.format("New SUID/SGID binary %s on %s (owner %s)", path(event), osquery.host(event),
    osquery.col(event, "username") or "unknown")
end

function dedup(event)
  return osquery.host(event) .. ":" .. path(event)
end

-- Outside the package manager's directories (a home, /tmp, /dev/shm) a
-- set-uid file is almost always a planted root shell.
function severity(event)
  if osquery.in_dirs(path(event), osquery.SYSTEM_DIRS) then
    return "DEFAULT"
  end
  return "High"
end

function alert_context(event)
  local ctx = osquery.context(event)
  ctx.path = path(event)
  ctx.owner = osquery.col(event, "username")
  ctx.group = osquery.col(event, "groupname")
  ctx.permissions = osquery.col(event, "permissions")
  return ctx
end
