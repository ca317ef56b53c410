local aws = require("aws")

-- The sign-in flow itself (AWS.Console.RootLogin and AWS.Console.BruteForce
-- cover sign-ins): eventType AwsConsoleSignIn, or these names on older
-- events without it.
local SIGNIN_FLOW = {
  ConsoleLogin = true, CheckMfa = true, CredentialChallenge = true,
  CredentialVerification = true, UserAuthentication = true, ExternalIdPDirectoryLogin = true,
}

function rule(event)
  return event:get("userIdentity", "type") == "Root"
    and not aws.by_aws_service(event)
    and event.eventType ~= "AwsServiceEvent"
    and event.eventType ~= "AwsConsoleSignIn"
    and not SIGNIN_FLOW[event.eventName]
end

function title(event)
  return string.format("Root user activity in %s: %s from %s",
    aws.account(event), event.eventName or "?", event.sourceIPAddress or "?")
end

function dedup(event)
  return aws.account(event)
end

-- Root access keys are long-lived and cannot be restricted by IAM.
function severity(event)
  if event.eventName == "CreateAccessKey" and not aws.failed(event) then
    return "Critical"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    account = aws.account(event),
    action = event.eventName,
    service = event.eventSource,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    access_key = event:get("userIdentity", "accessKeyId"),
    error = event.errorCode,
    region = event.awsRegion,
  }
end
