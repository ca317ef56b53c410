local aws = require("aws")

local DENIED = {
  AccessDenied = true, AccessDeniedException = true, UnauthorizedOperation = true,
  ["Client.UnauthorizedOperation"] = true, UnauthorizedAccess = true,
}

-- Console pages call many APIs on their own; a read-only user browsing
-- them collects denials without trying anything.
local function from_console(event)
  if event.sessionCredentialFromConsole == "true" or event.sessionCredentialFromConsole == true then
    return true
  end
  local ua = event.userAgent or ""
  return ua:match("^console%.[%w.%-]*amazonaws%.com$") ~= nil or ua:match("^[%w.%-]*%.console%.aws%.amazon%.com$") ~= nil
end

function rule(event)
  return DENIED[event.errorCode or ""] == true
    and not aws.by_aws_service(event)
    and not from_console(event)
end

function title(event)
  return string.format("Burst of denied API calls by %s in %s", aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. aws.actor(event)
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    first_denied = (event.eventSource or "?") .. ":" .. (event.eventName or "?"),
    error = event.errorCode,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
    access_key = event:get("userIdentity", "accessKeyId"),
  }
end
