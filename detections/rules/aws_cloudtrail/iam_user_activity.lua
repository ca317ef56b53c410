local aws = require("aws")

function rule(event)
  return event:get("userIdentity", "type") == "IAMUser" and not aws.failed(event)
    and event:get("userIdentity", "userName") ~= nil
end

function title(event)
  return string.format("IAM user %s called %s:%s", event:get("userIdentity", "userName"),
    event.eventSource or "?", event.eventName or "?")
end

function dedup(event)
  return aws.account(event) .. ":" .. event:get("userIdentity", "userName")
end

function alert_context(event)
  return {account = aws.account(event), user = event:get("userIdentity", "userName"),
    source_ip = event.sourceIPAddress, action = event.eventName}
end
