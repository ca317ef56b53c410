local github = require("github")

-- action = {what was turned off, scope}. Scope "org" and "enterprise"
-- cover every repository; "new" only repositories created from now on.
local DISABLED = {
  ["secret_scanning.disable"] = { "secret scanning", "org" },
  ["secret_scanning_new_repos.disable"] = { "secret scanning", "new" },
  ["org.secret_scanning_push_protection_disable"] = { "secret scanning push protection", "org" },
  ["org.secret_scanning_push_protection_new_repos_disable"] = { "secret scanning push protection", "new" },
  ["org_secret_scanning_push_protection_bypass_list.disable"] = { "the push protection bypass list", "org" },
  ["dependabot_alerts.disable"] = { "Dependabot alerts", "org" },
  ["dependabot_alerts_new_repos.disable"] = { "Dependabot alerts", "new" },
  ["dependabot_security_updates.disable"] = { "Dependabot security updates", "org" },
  ["dependabot_security_updates_new_repos.disable"] = { "Dependabot security updates", "new" },
  ["dependency_graph.disable"] = { "the dependency graph", "org" },
  ["dependency_graph_new_repos.disable"] = { "the dependency graph", "new" },
  ["org.codeql_disabled"] = { "CodeQL code scanning", "org" },
  ["advanced_security.disabled_on_all_repos"] = { "Advanced Security", "org" },
  ["advanced_security.disabled_for_new_repos"] = { "Advanced Security", "new" },
  ["business_advanced_security.disabled"] = { "Advanced Security", "enterprise" },
  ["business_secret_scanning.disable"] = { "secret scanning", "enterprise" },
  ["business_secret_scanning_push_protection.disable"] = { "secret scanning push protection", "enterprise" },
  ["repository_secret_scanning.disable"] = { "secret scanning", "repo" },
  ["repository_secret_scanning_push_protection.disable"] = { "secret scanning push protection", "repo" },
  ["repository_secret_scanning_push_protection_bypass_list.disable"] = { "the push protection bypass list", "repo" },
  ["repository_vulnerability_alerts.disable"] = { "Dependabot alerts", "repo" },
  ["repository_dependency_graph.disable"] = { "the dependency graph", "repo" },
  ["repository_code_security.disable"] = { "code security", "repo" },
  ["repo.advanced_security_disabled"] = { "Advanced Security", "repo" },
  ["repo.codeql_disabled"] = { "CodeQL code scanning", "repo" },
}

function rule(event)
  return DISABLED[event.action] ~= nil
end

local function where(event)
  local scope = DISABLED[event.action][2]
  if scope == "repo" then
    return "in " .. (github.repo(event) or "a repository")
  end
  if scope == "new" then
    return "for new repositories of " .. github.owner(event)
  end
  if scope == "enterprise" then
    return "for enterprise " .. (event.business or github.owner(event))
  end
  return "for all repositories of " .. github.owner(event)
end

function title(event)
  return string.format("GitHub %s disabled %s by %s", DISABLED[event.action][1], where(event), github.actor(event))
end

-- What one actor switches off in one place is one alert.
function dedup(event)
  local scope = DISABLED[event.action][2]
  local place = scope == "repo" and (github.repo(event) or "") or github.owner(event)
  return github.actor(event) .. ":" .. place
end

-- Turning a control off for every repository at once is High.
function severity(event)
  local scope = DISABLED[event.action][2]
  if scope == "org" or scope == "enterprise" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.feature = DISABLED[event.action][1]
  ctx.scope = DISABLED[event.action][2]
  return ctx
end
