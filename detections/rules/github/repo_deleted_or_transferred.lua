local github = require("github")

local ACTIONS = {
  ["repo.destroy"] = "deleted",
  ["repo.transfer_outgoing"] = "transferred out of %s",
  ["repo.transfer_start"] = "transfer out of %s requested",
}

function rule(event)
  return ACTIONS[event.action] ~= nil
end

function title(event)
  local what = string.format(ACTIONS[event.action], github.owner(event))
  return string.format("GitHub repository %s %s by %s", github.repo(event) or "unknown", what, github.actor(event))
end

-- The request and the completed transfer of one repository join.
function dedup(event)
  return github.repo(event) or github.owner(event)
end

-- A transfer hands the code and its history to another account; a deleted
-- repository can be restored for 90 days.
function severity(event)
  if event.action == "repo.transfer_outgoing" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.visibility = event.visibility
  ctx.new_owner = event.new_owner or event:get("data", "new_owner")
  ctx.old_name = event:get("data", "old_name")
  return ctx
end
