-- Helpers shared by the Google Workspace detections. require("gsuite")
-- returns this table.
--
-- Event shape (GSuite.ActivityEvent): id {applicationName, time,
-- customerId}, actor {email, callerType}, ipAddress, type, name, and
-- parameters: an object of the event's parameters by name.
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- internal_domains: your Workspace domains (lower case).
M.internal_domains = {["fernhill.example"] = true}

-- trusted_oauth_clients: OAuth client ids (or app names) your admins
-- approved; broad grants to these do not fire.
M.trusted_oauth_clients = {}

---------------------------------------------------------------------------

function M.app(event)
  return event:get("id", "applicationName") or ""
end

function M.param(event, name)
  return event:get("parameters", name)
end

function M.actor(event)
  return event:get("actor", "email") or event:get("actor", "key") or "unknown actor"
end

function M.domain(address)
  if type(address) ~= "string" then
    return nil
  end
  local d = string.match(address, "@([^@%s]+)$") or address
  return string.lower(d)
end

function M.is_internal(address)
  local d = M.domain(address)
  return d ~= nil and M.internal_domains[d] == true
end

function M.context(event)
  return {
    actor = M.actor(event),
    application = M.app(event),
    event = event.name,
    source_ip = event.ipAddress,
  }
end

return M
