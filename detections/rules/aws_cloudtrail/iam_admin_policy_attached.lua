local aws = require("aws")

local ATTACH = { AttachUserPolicy = "user", AttachRolePolicy = "role", AttachGroupPolicy = "group" }
local INLINE = { PutUserPolicy = "user", PutRolePolicy = "role", PutGroupPolicy = "group" }

-- IAM Identity Center provisions its permission sets (AdministratorAccess
-- included) into AWSReservedSSO_ roles through its service-linked role.
local function identity_center(event)
  return event:get("userIdentity", "sessionContext", "sessionIssuer", "userName") == "AWSServiceRoleForSSO"
end

-- kind, name of the identity or policy that gained administrator rights,
-- and how; nil when the call grants nothing administrator-equivalent.
local function grant(event)
  local rp = event.requestParameters
  if rp == nil then
    return nil
  end
  local name = event.eventName
  if ATTACH[name] then
    if aws.admin_managed_policies[rp.policyArn or ""] then
      local kind = ATTACH[name]
      return kind, rp[kind .. "Name"], (rp.policyArn:match("policy/(.+)$"))
    end
  elseif INLINE[name] then
    if aws.grants_admin(rp.policyDocument) then
      local kind = INLINE[name]
      return kind, rp[kind .. "Name"], "inline policy " .. (rp.policyName or "?")
    end
  elseif name == "CreatePolicyVersion" then
    if rp.setAsDefault == true and aws.grants_admin(rp.policyDocument) then
      return "policy", (rp.policyArn or "?"):match("policy/(.+)$") or rp.policyArn, "a new default version"
    end
  end
  return nil
end

function rule(event)
  -- The name test reads the field itself, so that the engine checks it in
  -- Go before calling Lua (a guard).
  if not (ATTACH[event.eventName or ""] or INLINE[event.eventName or ""] or event.eventName == "CreatePolicyVersion") then
    return false
  end
  local name = event.eventName or ""
  if event.eventSource ~= "iam.amazonaws.com" or aws.failed(event) or identity_center(event) then
    return false
  end
  return grant(event) ~= nil
end

function title(event)
  local kind, target, how = grant(event)
  return string.format("%s gave %s %s administrator access (%s) in %s",
    aws.actor(event), kind, target or "?", how, aws.account(event))
end

function dedup(event)
  local kind, target = grant(event)
  return aws.account(event) .. ":" .. kind .. "/" .. (target or "?")
end

function alert_context(event)
  local kind, target, how = grant(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    action = event.eventName,
    target_kind = kind,
    target = target,
    grant = how,
    policy_arn = event:get("requestParameters", "policyArn"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
