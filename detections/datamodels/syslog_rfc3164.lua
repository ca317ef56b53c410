-- The methods live in the syslog helper, shared by both syslog log types.
local syslog = require("syslog")

function actor_user(event)
  return syslog.actor_user(event)
end

function source_ip(event)
  return syslog.source_ip(event)
end

function event_type(event)
  return syslog.event_type(event)
end
