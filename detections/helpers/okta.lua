-- Helpers shared by the Okta System Log detections. require("okta")
-- returns this table.
--
-- Event shape (https://developer.okta.com/docs/reference/api/system-log/):
-- actor {id, type, alternateId, displayName}, client {ipAddress,
-- userAgent.rawUserAgent, geographicalContext}, outcome {result, reason},
-- target [ {id, type, alternateId, displayName, detailEntry} ],
-- debugContext.debugData {...}, securityContext {asOrg, isProxy, ...}.
--
-- The tables in "Known good" are data: edit them in your fork of the
-- detections to describe your organisation, or mock them in a test
-- (Mocks: [{objectName: okta.trusted_networks, returnValue: [...]}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- trusted_networks: CIDRs of your own egress addresses (offices, VPN
-- concentrators). Many users share them, so counting sign-in failures per
-- address would mix everyone's typos: the brute-force rule skips them.
M.trusted_networks = {}

---------------------------------------------------------------------------
-- Who and what
---------------------------------------------------------------------------

-- actor is the login (alternateId) of whoever acted, else its display name.
function M.actor(event)
  local a = event:get("actor", "alternateId")
  if a == nil or a == "" or a == "unknown" then
    a = event:get("actor", "displayName")
  end
  if a == nil or a == "" then
    return "unknown"
  end
  return a
end

-- target returns the first target entity of the given type ("User",
-- "Token", "PolicyEntity", ...), or nil.
function M.target(event, kind)
  local targets = event.target
  if type(targets) ~= "table" then
    return nil
  end
  for _, t in ipairs(targets) do
    if type(t) == "table" and t.type == kind then
      return t
    end
  end
  return nil
end

-- target_user is the login of the first User target, else nil.
function M.target_user(event)
  local t = M.target(event, "User")
  if t == nil then
    return nil
  end
  local id = t.alternateId
  if id == nil or id == "" or id == "unknown" then
    id = t.displayName
  end
  return id
end

-- name of an entity: its display name, else its alternateId, else its id.
function M.name(entity)
  if entity == nil then
    return nil
  end
  for _, k in ipairs({ "displayName", "alternateId", "id" }) do
    local v = entity[k]
    if v ~= nil and v ~= "" and v ~= "unknown" then
      return v
    end
  end
  return nil
end

-- failed reports an outcome of FAILURE or DENY. Events without an outcome
-- (rare, some lifecycle events) count as done.
function M.failed(event)
  local r = event:get("outcome", "result")
  return r == "FAILURE" or r == "DENY"
end

-- debug reads one key of debugContext.debugData.
function M.debug(event, key)
  return event:get("debugContext", "debugData", key)
end

-- ip is the client address.
function M.ip(event)
  return event:get("client", "ipAddress")
end

-- place is "City, Country" of the client, as far as Okta knows it.
function M.place(event)
  local city = event:get("client", "geographicalContext", "city")
  local country = event:get("client", "geographicalContext", "country")
  if city and country then
    return city .. ", " .. country
  end
  return country or city
end

-- is_trusted_network: the address is in trusted_networks.
function M.is_trusted_network(ip)
  if ip == nil or #M.trusted_networks == 0 then
    return false
  end
  return net.in_cidr(ip, M.trusted_networks)
end

-- context is what every Okta alert carries; rules add their own keys.
function M.context(event)
  return {
    actor = M.actor(event),
    actor_id = event:get("actor", "id"),
    actor_type = event:get("actor", "type"),
    event_type = event.eventType,
    outcome = event:get("outcome", "result"),
    outcome_reason = event:get("outcome", "reason"),
    source_ip = M.ip(event),
    location = M.place(event),
    as_org = event:get("securityContext", "asOrg"),
    is_proxy = event:get("securityContext", "isProxy"),
    user_agent = event:get("client", "userAgent", "rawUserAgent"),
    transaction_id = event:get("transaction", "id"),
    session_id = event:get("authenticationContext", "externalSessionId"),
  }
end

return M
