-- Helpers shared by the GitHub audit log detections. require("github")
-- returns this table.
--
-- Event shape (organization and enterprise audit log, streamed or from
-- the REST API): action ("category.operation"), actor, actor_ip,
-- actor_location.country_code, org, business, repo or repository, user
-- (the account acted upon), user_agent, programmatic_access_type,
-- actor_is_bot, plus fields of each action.
--
-- The tables in "Known good" are data: edit them in your fork of the
-- detections, or mock them in a test
-- (Mocks: [{objectName: github.bulk_clone_actors, returnValue: {...}}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- bulk_clone_actors: logins that clone many repositories by design
-- (backup jobs, code search indexers, CI machine users). Keys are logins.
M.bulk_clone_actors = {}

---------------------------------------------------------------------------
-- Who and where
---------------------------------------------------------------------------

-- actor is the login that acted, "unknown" when GitHub did not record one.
function M.actor(event)
  local a = event.actor
  if a == nil or a == "" then
    return "unknown"
  end
  return a
end

-- repo is owner/name of the repository the event is about, else nil.
function M.repo(event)
  local r = event.repo
  if r == nil or r == "" then
    r = event.repository
  end
  if r == nil or r == "" then
    return nil
  end
  return r
end

-- owner is the organisation, else the enterprise, the event belongs to.
function M.owner(event)
  local o = event.org
  if o == nil or o == "" then
    o = event.business
  end
  if o == nil or o == "" then
    local r = M.repo(event)
    o = r and r:match("^([^/]+)/")
  end
  return o or "unknown"
end

-- is_bot: a GitHub App or bot account ("name[bot]").
function M.is_bot(event)
  return event.actor_is_bot == true or (M.actor(event)):match("%[bot%]$") ~= nil
end

-- context is what every GitHub alert carries; rules add their own keys.
function M.context(event)
  return {
    actor = M.actor(event),
    action = event.action,
    org = event.org,
    business = event.business,
    repo = M.repo(event),
    source_ip = event.actor_ip,
    country = event:get("actor_location", "country_code"),
    user_agent = event.user_agent,
    access_type = event.programmatic_access_type,
    token_id = event.token_id,
    sso_identity = event.external_identity_nameid,
    request_id = event.request_id,
  }
end

return M
