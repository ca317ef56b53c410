-- Console logins of IAM users without MFA. Federated (SSO) logins are
-- excluded: their MFA happens at the identity provider.
local helpers = require("example_helpers")

function rule(event)
  return event.eventName == "ConsoleLogin"
    and event:get("userIdentity", "type") == "IAMUser"
    and event:get("responseElements", "ConsoleLogin") == "Success"
    and event:get("additionalEventData", "MFAUsed") ~= "Yes"
end

function title(event)
  return string.format("%s signed in to %s without MFA",
    helpers.user(event), event.recipientAccountId or "an unknown account")
end

function dedup(event)
  return helpers.user(event) .. "-" .. (event.recipientAccountId or "")
end

function alert_context(event)
  return {
    user = helpers.user(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
