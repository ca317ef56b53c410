local aws = require("aws")

-- Client operating systems that EC2 instances (almost) never run, as they
-- appear in AWS SDK and CLI user agents: macOS (EC2 Mac instances aside)
-- and penetration-testing distributions. Windows is not listed: Windows
-- Server instances report "Windows/10".
local FOREIGN_CLIENTS = {
  { pattern = "[Dd]arwin/", name = "macOS" },
  { pattern = "[Kk]ali", name = "Kali Linux" },
  { pattern = "[Pp]arrot", name = "Parrot OS" },
  { pattern = "[Pp]entoo", name = "Pentoo" },
}

local function foreign_client(event)
  local ua = event.userAgent or ""
  for _, c in ipairs(FOREIGN_CLIENTS) do
    if ua:match(c.pattern) then
      return c.name
    end
  end
  return nil
end

function rule(event)
  if aws.instance_session(event) == nil then
    return false
  end
  -- Calls that AWS makes with the role (sourceIPAddress is then a service
  -- name) say nothing about where the credentials went.
  if not net.is_ip(event.sourceIPAddress or "") then
    return false
  end
  return foreign_client(event) ~= nil
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
