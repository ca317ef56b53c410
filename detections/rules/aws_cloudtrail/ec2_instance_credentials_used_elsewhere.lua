local aws = require("aws")

-- Client operating systems that EC2 instances (almost) never run, as they
-- appear in AWS SDK and CLI user agents: macOS (EC2 Mac instances aside)
-- and penetration-testing distributions. Windows is not listed: Windows
-- Server instances report "Windows/10".
-- Matched on the user agent in any case, as plain substrings, in one pass;
-- FOREIGN_NAMES are their names, in the same order. macOS is "Darwin/23.4.0"
-- in the older user agents and "os/macos#23.6.0" in the current SDKs' (AWS
-- CLI v2, Botocore and the others that write ua/2.0). Constants, so that
-- the test opening rule() is checked in Go (a guard).
local FOREIGN_TEXTS = { "darwin/", "os/macos#", "kali", "parrot", "pentoo" }
local FOREIGN_NAMES = { "macOS", "macOS", "Kali Linux", "Parrot OS", "Pentoo" }
local FOREIGN = match.literals(FOREIGN_TEXTS, { ignore_case = true })

local function foreign_client(event)
  local ua = event.userAgent
  if ua == nil then
    return nil
  end
  local _, i = FOREIGN:first(ua)
  if i == nil then
    return nil
  end
  return FOREIGN_NAMES[i]
end

function rule(event)
  -- Cheapest tests first: this rule sees every CloudTrail event.
  if event:get("userIdentity", "type") ~= "AssumedRole" or not FOREIGN:test(event.userAgent) then
    return false
  end
  if aws.instance_session(event) == nil then
    return false
  end
  -- Calls that AWS makes with the role (sourceIPAddress is then a service
  -- name) say nothing about where the credentials went.
  return net.is_ip(event.sourceIPAddress or "")
end

local function role(event)
  return event:get("userIdentity", "sessionContext", "sessionIssuer", "userName") or "?"
end

function title(event)
  return string.format("Credentials of EC2 instance %s (role %s) used from a %s client at %s in %s",
    aws.instance_session(event), role(event), foreign_client(event), event.sourceIPAddress, aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.instance_session(event)
end

function alert_context(event)
  return {
    instance_id = aws.instance_session(event),
    role = role(event),
    role_arn = event:get("userIdentity", "sessionContext", "sessionIssuer", "arn"),
    access_key = event:get("userIdentity", "accessKeyId"),
    account = aws.account(event),
    client = foreign_client(event),
    source_ip = event.sourceIPAddress,
    source_is_private = net.is_private(event.sourceIPAddress),
    user_agent = event.userAgent,
    action = (event.eventSource or "?") .. ":" .. (event.eventName or "?"),
  }
end
