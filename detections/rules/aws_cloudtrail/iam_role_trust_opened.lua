local aws = require("aws")

local function document(event)
  if event.eventName == "CreateRole" then
    return event:get("requestParameters", "assumeRolePolicyDocument")
  end
  return event:get("requestParameters", "policyDocument")
end

-- Who the trust policy newly lets in: "anyone" for a wildcard principal,
-- else the accounts that are neither this one nor trusted.
local function outsiders(event)
  local accounts, wildcard = aws.principal_accounts(document(event))
  if wildcard then
    return { "anyone" }, true
  end
  local out, seen = {}, {}
  for _, id in ipairs(accounts) do
    if not aws.is_trusted_account(event, id) and not seen[id] then
      seen[id] = true
      table.insert(out, id)
    end
  end
  return out, false
end

function rule(event)
  if event.eventSource ~= "iam.amazonaws.com" or aws.failed(event) then
    return false
  end
  if event.eventName ~= "CreateRole" and event.eventName ~= "UpdateAssumeRolePolicy" then
    return false
  end
  return #outsiders(event) > 0
end

local function role(event)
  return event:get("requestParameters", "roleName") or "?"
end

function title(event)
  local who = outsiders(event)
  local verb = event.eventName == "CreateRole" and "created role" or "changed the trust of role"
  return string.format("%s %s %s in %s to trust %s",
    aws.actor(event), verb, role(event), aws.account(event), table.concat(who, ", "))
end

function dedup(event)
  return aws.account(event) .. ":" .. role(event)
end

function severity(event)
  local _, wildcard = outsiders(event)
  if wildcard then
    return "Critical"
  end
  return "DEFAULT"
end

function alert_context(event)
  local who = outsiders(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    action = event.eventName,
    role = role(event),
    trusted_outsiders = table.concat(who, ", "),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
