local osquery = require("osquery")

function hostname(event)
  return osquery.host(event)
end

-- actor_user: the user column of the row, for the tables that have one
-- (users, logged_in_users, authorized_keys, shell_history, ...).
function actor_user(event)
  return osquery.col(event, "username") or osquery.col(event, "user")
end

function destination_ip(event)
  local ip = osquery.col(event, "remote_address")
  if net.is_ip(ip) then
    return ip
  end
  return nil
end
