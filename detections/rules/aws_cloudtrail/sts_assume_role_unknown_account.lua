local aws = require("aws")

local ASSUME = { AssumeRole = true }

local function caller_account(event)
  return event:get("userIdentity", "accountId")
end

local function role_arn(event)
  return event:get("requestParameters", "roleArn") or ""
end

local function role_account(event)
  return role_arn(event):match("^arn:aws[%w-]*:iam::(%d+):") or aws.account(event)
end

function rule(event)
  if event.eventSource ~= "sts.amazonaws.com" or not ASSUME[event.eventName] or aws.failed(event) then
    return false
  end
  if aws.by_aws_service(event) then
    return false
  end
  local caller = caller_account(event)
  if caller == nil or caller == role_account(event) then
    return false
  end
  return not aws.is_trusted_account(event, caller)
end

local function role_name(event)
  return role_arn(event):match(":role/(.+)$") or role_arn(event)
end

function title(event)
  return string.format("Account %s assumed role %s in %s (not a trusted account)",
    caller_account(event), role_name(event), role_account(event))
end

function dedup(event)
  return role_account(event) .. ":" .. caller_account(event) .. ":" .. role_name(event)
end

function alert_context(event)
  return {
    caller_account = caller_account(event),
    caller = event:get("userIdentity", "arn") or event:get("userIdentity", "principalId"),
    account = role_account(event),
    role_arn = role_arn(event),
    -- The role's name without its path, as AWS.IAM.RoleTrustOpened names
    -- it, so that a correlation joins the two.
    role = role_arn(event):match(":role/.-([^/]+)$"),
    session_name = event:get("requestParameters", "roleSessionName"),
    external_id = event:get("requestParameters", "externalId") ~= nil,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
