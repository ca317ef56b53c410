local github = require("github")

-- repo.access is written for every visibility change; the new visibility
-- is in "visibility" (older events carry only public_repo or
-- repository_public, the state after the change). now_public returns
-- true, false, or nil when the event records neither.
local function now_public(event)
  if event.visibility ~= nil then
    return event.visibility == "public"
  end
  local flag = event.public_repo
  if flag == nil then
    flag = event.repository_public
  end
  if flag == nil then
    return nil
  end
  return flag == true
end

-- A change whose direction is not recorded may be the one that exposed
-- the code: it fires too, as Medium.
function rule(event)
  return event.action == "repo.access" and now_public(event) ~= false
    and event.previous_visibility ~= "public"
end

function title(event)
  if now_public(event) == nil then
    return string.format("GitHub repository %s visibility changed by %s (new visibility not recorded)",
      github.repo(event) or "unknown", github.actor(event))
  end
  return string.format("GitHub repository %s made public by %s",
    github.repo(event) or "unknown", github.actor(event))
end

function severity(event)
  if now_public(event) == nil then
    return "Medium"
  end
  return "DEFAULT"
end

function dedup(event)
  return github.repo(event) or github.owner(event)
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.previous_visibility = event.previous_visibility
  ctx.visibility = event.visibility
  return ctx
end
