local github = require("github")

-- Enforcement states of a ruleset that enforce nothing: "evaluate" only
-- reports what it would have blocked.
local NOT_ENFORCED = { disabled = true, evaluate = true }

local function change(event)
  local a = event.action
  if a == "protected_branch.destroy" then
    return "branch protection removed from " .. (event.name or event.branch or "a branch")
  end
  if a == "repository_branch_protection_evaluation.disable" then
    return "all branch protections disabled"
  end
  if a == "repository_ruleset.destroy" then
    return "ruleset " .. (event.ruleset_name or "unknown") .. " deleted"
  end
  if a == "repository_ruleset.update" and NOT_ENFORCED[event.ruleset_enforcement or ""] then
    return "ruleset " .. (event.ruleset_name or "unknown") .. " set to " .. event.ruleset_enforcement
  end
  return nil
end

function rule(event)
  return change(event) ~= nil
end

function title(event)
  local where = github.repo(event) or ("org " .. github.owner(event))
  return string.format("GitHub %s in %s by %s", change(event), where, github.actor(event))
end

-- Everything taken off one repository (or org-wide ruleset) is one alert.
function dedup(event)
  return github.repo(event) or github.owner(event)
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.change = change(event)
  ctx.branch = event.name or event.branch
  ctx.ruleset = event.ruleset_name
  ctx.ruleset_enforcement = event.ruleset_enforcement
  ctx.ruleset_source_type = event.ruleset_source_type
  return ctx
end
