local osquery = require("osquery")

-- Queries over osquery's authorized_keys table: incident-response style
-- "authorized_keys", and the linux-ssh-investigation pack's two queries.
local QUERIES = { "authorized_keys", "authorized_ssh_keys", "authorized_keys_with_options" }

-- Any other query returning authorized_keys rows (key_file with a key or
-- its algorithm) counts too.
local function is_key_row(event)
  return osquery.query_is(event, QUERIES)
    or (osquery.col(event, "key_file") ~= nil
      and (osquery.col(event, "key") ~= nil or osquery.col(event, "algorithm") ~= nil))
end

function rule(event)
  return osquery.added(event) and is_key_row(event)
end

local function user(event)
  local u = osquery.col(event, "username")
  if u ~= nil then
    return u
  end
  local uid = osquery.col(event, "uid")
  if uid == "0" or uid == 0 then
    return "root"
  end
  -- /home/<user>/.ssh/authorized_keys, /Users/<user>/..., /root/...
  local f = osquery.col(event, "key_file") or ""
  local from_path = f:match("^/home/([^/]+)/") or f:match("^/Users/([^/]+)/") or (f:match("^/root/") and "root")
  if from_path ~= nil then
    return from_path
  end
  if uid ~= nil then
    return "uid " .. tostring(uid)
  end
  return "unknown user"
end

local function is_root(event)
  local uid = osquery.col(event, "uid")
  return user(event) == "root" or uid == "0" or uid == 0
end

function title(event)
  return string.format("New SSH authorized key for %s on %s", user(event), osquery.host(event))
end

function dedup(event)
  return osquery.host(event) .. ":" .. user(event)
end

-- A key for root gives the holder the whole machine.
function severity(event)
  if is_root(event) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = osquery.context(event)
  ctx.user = user(event)
  ctx.key_file = osquery.col(event, "key_file")
  ctx.algorithm = osquery.col(event, "algorithm")
  ctx.comment = osquery.col(event, "comment")
  ctx.options = osquery.col(event, "options")
  return ctx
end
