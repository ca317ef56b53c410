local netmon = require("netmon")

-- host and the banner or user agent to look at, per log type.
local function observed(event)
  local lt = event.p_log_type
  if lt == "Zeek.Software" then
    -- Client software only: for servers, host is the server.
    local kind = event.software_type or ""
    if not (string.find(kind, "BROWSER$") or string.find(kind, "CLIENT$")) then
      return nil
    end
    return event.host, event.unparsed_version or event.name
  elseif lt == "Zeek.HTTP" then
    return event["id.orig_h"], event.user_agent
  elseif lt == "Zeek.SSH" then
    return event["id.orig_h"], event.client
  end
  return nil
end

local function tool(event)
  local host, banner = observed(event)
  if host == nil then
    return nil
  end
  return netmon.scanner_tool(banner), host, banner
end

-- Internet scanners probe every public address all day; a scanner running
-- inside the network is someone mapping it.
function rule(event)
  local name, host = tool(event)
  return name ~= nil and not netmon.is_public(host)
    and not netmon.in_list(host, netmon.authorized_scanners)
end

function title(event)
  local name, host = tool(event)
  return string.format("%s scanner in use on internal host %s", name, host)
end

function dedup(event)
  local name, host = tool(event)
  return host .. ":" .. name
end

function alert_context(event)
  local name, host, banner = tool(event)
  return {
    source_ip = host,
    tool = name,
    banner = banner,
    seen_in = event.p_log_type,
    first_target = event["id.resp_h"],
    software_type = event.software_type,
  }
end
