local netmon = require("netmon")

local function tool(event)
  return netmon.scanner_tool(event:get("httpRequest", "userAgent"))
end

function rule(event)
  return tool(event) ~= nil
end

function title(event)
  return string.format("%s scanning through GCP load balancer from %s", tool(event), event:get("httpRequest", "remoteIp") or "?")
end

function dedup(event)
  return (event:get("httpRequest", "remoteIp") or "?") .. ":" .. tool(event)
end

function severity(event)
  if event:get("jsonPayload", "statusDetails") == "response_sent_by_backend" then
    return "Medium"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event:get("httpRequest", "remoteIp"),
    tool = tool(event),
    url = event:get("httpRequest", "requestUrl"),
    status = event:get("httpRequest", "status"),
    outcome = event:get("jsonPayload", "statusDetails"),
  }
end
