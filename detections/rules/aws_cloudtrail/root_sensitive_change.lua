local aws = require("aws")

-- Services whose settings decide who controls the account and who pays:
-- identities and credentials, the account's contacts and name, billing,
-- payment methods, tax and invoices, and the organisation it belongs to.
local SERVICES = {
  ["iam.amazonaws.com"] = "IAM",
  ["account.amazonaws.com"] = "account settings",
  ["billing.amazonaws.com"] = "billing",
  ["billingconsole.amazonaws.com"] = "billing",
  ["payments.amazonaws.com"] = "payments",
  ["tax.amazonaws.com"] = "tax",
  ["invoicing.amazonaws.com"] = "invoicing",
  ["organizations.amazonaws.com"] = "organizations",
}

-- A change, not a read: CloudTrail's readOnly when present, else the name.
local function is_write(event)
  if event.readOnly ~= nil then
    return event.readOnly == false or event.readOnly == "false"
  end
  local name = event.eventName or ""
  return not (name:match("^Get") or name:match("^List") or name:match("^Describe") or name:match("^View"))
end

function rule(event)
  return event:get("userIdentity", "type") == "Root"
    and SERVICES[event.eventSource or ""] ~= nil
    and not aws.failed(event)
    and event.eventType ~= "AwsConsoleSignIn"
    and is_write(event)
end

function title(event)
  return string.format("Root changed %s in %s: %s",
    SERVICES[event.eventSource], aws.account(event), event.eventName or "?")
end

function dedup(event)
  return aws.account(event)
end

function alert_context(event)
  return {
    account = aws.account(event),
    area = SERVICES[event.eventSource],
    action = event.eventName,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    access_key = event:get("userIdentity", "accessKeyId"),
  }
end
