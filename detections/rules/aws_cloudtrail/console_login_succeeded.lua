local aws = require("aws")

-- IAM users and root only: federated sign-ins (SAML, IAM Identity Center)
-- authenticate at the identity provider, so guessing or a password set in
-- IAM cannot be what let them in.
local TYPES = { IAMUser = true, Root = true }

function rule(event)
  return event.eventName == "ConsoleLogin"
    and event.eventSource == "signin.amazonaws.com"
    and event:get("responseElements", "ConsoleLogin") == "Success"
    and TYPES[event:get("userIdentity", "type")] == true
end

-- The user signed in, named as AWS.Console.BruteForce names its target.
local function user(event)
  if event:get("userIdentity", "type") == "Root" then
    return "root"
  end
  return event:get("userIdentity", "userName") or "unknown"
end

function title(event)
  return string.format("%s signed in to the console of %s from %s",
    user(event), aws.account(event), event.sourceIPAddress or "?")
end

function dedup(event)
  return aws.account(event) .. ":" .. user(event)
end

function alert_context(event)
  return {
    user = user(event),
    account = aws.account(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    mfa_used = event:get("additionalEventData", "MFAUsed"),
  }
end
