-- Helpers shared by the osquery detections. require("osquery") returns
-- this table.
--
-- Event shape (Osquery.Differential, one row of a scheduled query):
-- name (the query: "pack_<pack>_<query>" with the default pack delimiter
-- "_", or "pack/<pack>/<query>"), hostIdentifier, calendarTime, unixTime,
-- epoch, counter, decorations {hostname, host_uuid, ...}, columns {the
-- row; values are strings unless the query has numerics on}, action
-- ("added" or "removed").
--
-- The tables in "Known good" are data: edit them in your fork of the
-- detections, or mock them in a test
-- (Mocks: [{objectName: osquery.kernel_modules_expected, returnValue: {...}}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- kernel_modules_expected: module names, or name prefixes ending in "*",
-- that hosts load on demand in normal operation (container networking and
-- storage, firewalls, file systems, USB storage). A module loaded after
-- the first run of the query and not listed here raises an alert.
M.kernel_modules_expected = {
  "nf_*", "nft_*", "xt_*", "ip_*", "ip6_*", "iptable_*", "ip6table_*", "ebt*", "arp_tables",
  "x_tables", "veth", "bridge", "br_netfilter", "stp", "llc", "overlay", "tun", "tap",
  "vxlan", "ipip", "ip_gre", "wireguard", "bonding", "8021q", "macvlan", "ipvlan", "dummy",
  "loop", "fuse", "isofs", "udf", "nls_*", "vfat", "fat", "exfat", "squashfs", "cifs", "nfs*",
  "sunrpc", "lockd", "grace", "rpcsec_gss_krb5", "auth_rpcgss", "dm_*", "xfs", "btrfs",
  "usb_storage", "uas", "sg", "sr_mod", "cdrom", "binfmt_misc", "cpuid", "msr",
}

-- executable_paths_allowed: path prefixes from which processes may run
-- although they look like temporary locations (an agent that unpacks
-- itself under /tmp, for example).
M.executable_paths_allowed = {}

---------------------------------------------------------------------------
-- Reference data
---------------------------------------------------------------------------

-- Directories anyone can write to, where nothing should be executed from.
M.TEMP_DIRS = { "/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/private/tmp/", "/private/var/tmp/" }

-- Directories owned by the package manager.
M.SYSTEM_DIRS = { "/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/opt/", "/snap/", "/System/", "/Library/", "/Applications/" }

---------------------------------------------------------------------------
-- The query and the row
---------------------------------------------------------------------------

local function ends_with(s, suffix)
  return #s >= #suffix and s:sub(-#suffix) == suffix
end

local function starts_with(s, prefix)
  return s:sub(1, #prefix) == prefix
end

M.starts_with = starts_with

-- query_is reports whether the result comes from a query of one of the
-- given names, inside any pack ("pack_incident-response_suid_bin",
-- "pack/linux/suid_bin") or scheduled on its own ("suid_bin").
function M.query_is(event, names)
  local n = event.name
  if type(n) ~= "string" then
    return false
  end
  for _, q in ipairs(names) do
    if n == q or ends_with(n, "_" .. q) or ends_with(n, "/" .. q) then
      return true
    end
  end
  return false
end

-- baseline reports the first result set of a query (counter 0): osquery
-- logs every row as "added" when it runs a query for the first time or
-- after a restart with a new epoch, so such rows are the host's state,
-- not a change.
function M.baseline(event)
  local c = event.counter
  return c == 0 or c == "0"
end

-- added is a row the query found since its previous run.
function M.added(event)
  return event.action == "added" and not M.baseline(event)
end

-- col reads one column of the row ("" and nil are both nil).
function M.col(event, name)
  local v = event:get("columns", name)
  if v == "" then
    return nil
  end
  return v
end

-- host is the host's name: the hostname decoration, else hostIdentifier.
function M.host(event)
  local h = event:get("decorations", "hostname")
  if h == nil or h == "" then
    h = event.hostIdentifier
  end
  return h or "unknown host"
end

-- in_dirs reports whether path starts with one of the prefixes.
function M.in_dirs(path, dirs)
  if type(path) ~= "string" then
    return false
  end
  for _, d in ipairs(dirs) do
    if starts_with(path, d) then
      return true
    end
  end
  return false
end

-- matches_list: name equals an entry, or starts with an entry ending "*".
function M.matches_list(name, list)
  if type(name) ~= "string" then
    return false
  end
  for _, e in ipairs(list) do
    if e:sub(-1) == "*" then
      if starts_with(name, e:sub(1, -2)) then
        return true
      end
    elseif name == e then
      return true
    end
  end
  return false
end

-- context is what every osquery alert carries; rules add the columns.
function M.context(event)
  return {
    host = M.host(event),
    host_identifier = event.hostIdentifier,
    host_uuid = event:get("decorations", "host_uuid"),
    query = event.name,
    action = event.action,
    counter = event.counter,
    calendar_time = event.calendarTime,
  }
end

return M
