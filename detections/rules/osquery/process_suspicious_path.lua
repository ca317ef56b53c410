local osquery = require("osquery")

-- A row about a running process: osquery's processes table (pid, path,
-- cmdline, on_disk, ...) or process_open_sockets as the incident-response
-- pack's open_sockets query returns it (pid, path, remote_address). Rows
-- of other tables with pid and path (process_open_files, listening_ports)
-- name a file or socket, not the executable, and are left out.
local function is_process_row(event)
  if osquery.col(event, "pid") == nil or osquery.col(event, "path") == nil then
    return false
  end
  return osquery.col(event, "cmdline") ~= nil or osquery.col(event, "on_disk") ~= nil
    or osquery.col(event, "parent") ~= nil or osquery.col(event, "remote_address") ~= nil
end

local function deleted(event)
  local d = osquery.col(event, "on_disk")
  return d == 0 or d == "0"
end

-- why returns the reason the process is suspicious, or nil.
local function why(event)
  local path = osquery.col(event, "path")
  if osquery.in_dirs(path, osquery.executable_paths_allowed) then
    return nil
  end
  if osquery.in_dirs(path, osquery.TEMP_DIRS) then
    return "temp"
  end
  -- A package upgrade replaces the binaries of running daemons: a deleted
  -- executable in a system directory is that, elsewhere it is a program
  -- that removed itself after starting.
  if deleted(event) and not osquery.in_dirs(path, osquery.SYSTEM_DIRS) then
    return "deleted"
  end
  return nil
end

-- Every running process is "added" on a query's first run: the state of a
-- process running from /tmp is suspicious at any run, so the baseline is
-- not skipped here.
function rule(event)
  return event.action == "added" and is_process_row(event) and why(event) ~= nil
end

function title(event)
  local fmt = "Process running from a temporary directory: %s on %s"
  if why(event) == "deleted" then
    fmt = "Process whose executable was deleted: %s on %s"
  end
  return string.format(fmt, osquery.col(event, "path"), osquery.host(event))
end

function dedup(event)
  return osquery.host(event) .. ":" .. osquery.col(event, "path")
end

function alert_context(event)
  local ctx = osquery.context(event)
  ctx.reason = why(event)
  ctx.path = osquery.col(event, "path")
  ctx.pid = osquery.col(event, "pid")
  ctx.cmdline = osquery.col(event, "cmdline")
  ctx.parent_pid = osquery.col(event, "parent")
  ctx.uid = osquery.col(event, "uid")
  ctx.on_disk = osquery.col(event, "on_disk")
  ctx.remote_address = osquery.col(event, "remote_address")
  ctx.remote_port = osquery.col(event, "remote_port")
  return ctx
end
