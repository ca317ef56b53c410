local aws = require("aws")

local ACTIONS = { CreateLoginProfile = "created a console password", UpdateLoginProfile = "reset the console password" }

function rule(event)
  if event.eventSource ~= "iam.amazonaws.com" or ACTIONS[event.eventName] == nil or aws.failed(event) then
    return false
  end
  local t = event:get("requestParameters", "userName")
  return t ~= nil and t ~= aws.caller_user(event)
end

local function target(event)
  return event:get("requestParameters", "userName")
end

function title(event)
  return string.format("%s %s of IAM user %s in %s",
    aws.actor(event), ACTIONS[event.eventName], target(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

-- Without a forced reset the password the actor chose stays valid: the
-- actor can sign in as the user.
function severity(event)
  if event:get("requestParameters", "passwordResetRequired") ~= true then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    action = event.eventName,
    target_user = target(event),
    password_reset_required = event:get("requestParameters", "passwordResetRequired"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
