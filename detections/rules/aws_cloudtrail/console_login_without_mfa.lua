local aws = require("aws")

-- IAM users only: SAML/SSO sign-ins (AssumedRole, SamlProviderArn) report
-- MFAUsed "No" because the identity provider did the MFA, and root has its
-- own rule (AWS.Console.RootLogin, Critical without MFA).
function rule(event)
  return event.eventName == "ConsoleLogin"
    and event.eventSource == "signin.amazonaws.com"
    and event:get("userIdentity", "type") == "IAMUser"
    and event:get("responseElements", "ConsoleLogin") == "Success"
    and event:get("additionalEventData", "MFAUsed") == "No"
    and event:get("additionalEventData", "SamlProviderArn") == nil
end

function title(event)
  return string.format("%s signed in to the console of %s without MFA from %s",
    aws.actor(event), aws.account(event), event.sourceIPAddress or "?")
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    login_to = event:get("additionalEventData", "LoginTo"),
  }
end
