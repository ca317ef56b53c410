local github = require("github")

-- action = {what changed, severity}.
local WEAKENED = {
  ["org.disable_two_factor_requirement"] = { "two-factor authentication requirement disabled", "High" },
  ["business.disable_two_factor_requirement"] = { "two-factor authentication requirement disabled", "High" },
  ["org.saml_disabled"] = { "SAML single sign-on disabled", "High" },
  ["org.disable_saml"] = { "SAML single sign-on disabled", "High" },
  ["business.disable_saml"] = { "SAML single sign-on disabled", "High" },
  ["ip_allow_list.disable"] = { "IP allow list disabled", "High" },
  ["ip_allow_list.disable_for_installed_apps"] = { "IP allow list disabled for GitHub Apps", "DEFAULT" },
  ["org.disable_oauth_app_restrictions"] = { "OAuth app access restrictions disabled", "DEFAULT" },
  ["personal_access_token.access_restriction_disabled"] = { "personal access token restriction disabled", "DEFAULT" },
  ["auto_approve_personal_access_token_requests.enable"] = { "fine-grained tokens allowed without approval", "DEFAULT" },
  ["personal_access_token.auto_approve_grant_requests_disabled"] = { "fine-grained tokens allowed without approval", "DEFAULT" },
  ["ssh_certificate_requirement.disable"] = { "SSH certificate requirement disabled", "DEFAULT" },
}

function rule(event)
  return WEAKENED[event.action] ~= nil
end

function title(event)
  return string.format("GitHub %s for %s by %s", WEAKENED[event.action][1], github.owner(event), github.actor(event))
end

function dedup(event)
  return github.owner(event) .. ":" .. WEAKENED[event.action][1]
end

-- Dropping 2FA, SSO or the IP allow list opens sign-in to anyone with a
-- password or token from anywhere: High. The rest widen what tokens and
-- apps may do: Medium.
function severity(event)
  return WEAKENED[event.action][2]
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.change = WEAKENED[event.action][1]
  return ctx
end
