local github = require("github")

-- repo.access is written for every visibility change; the new visibility
-- is in "visibility" (older events carry only public_repo or
-- repository_public, the state after the change).
local function now_public(event)
  if event.visibility ~= nil then
    return event.visibility == "public"
  end
  return event.public_repo == true or event.repository_public == true
end

function rule(event)
  return event.action == "repo.access" and now_public(event)
    and event.previous_visibility ~= "public"
end

function title(event)
  return string.format("GitHub repository %s made public by %s",
    github.repo(event) or "unknown", github.actor(event))
end

function dedup(event)
  return github.repo(event) or github.owner(event)
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.previous_visibility = event.previous_visibility
  ctx.visibility = event.visibility or "public"
  return ctx
end
