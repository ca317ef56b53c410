local netmon = require("netmon")

local function tool(event)
  return netmon.scanner_tool(event.ClientRequestUserAgent)
end

function rule(event)
  local status = tonumber(event.EdgeResponseStatus) or 0
  local action = event.SecurityAction or event.WAFAction or ""
  return tool(event) ~= nil and status > 0 and status < 400 and (action == "" or action == "unknown" or action == "log")
end

function title(event)
  return string.format("%s request from %s served by %s", tool(event), event.ClientIP or "?", event.ClientRequestHost or "?")
end

function dedup(event)
  return (event.ClientIP or "?") .. ":" .. tool(event)
end

function alert_context(event)
  return {client_ip = event.ClientIP, tool = tool(event), uri = event.ClientRequestURI, status = event.EdgeResponseStatus, ray_id = event.RayID}
end
