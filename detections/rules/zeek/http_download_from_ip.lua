local netmon = require("netmon")

-- MIME types Zeek's file analysis gives programs and scripts.
local EXECUTABLE = {
  ["application/x-dosexec"] = true, ["application/x-executable"] = true,
  ["application/x-sharedlib"] = true, ["application/x-mach-o-executable"] = true,
  ["application/x-elf"] = true, ["application/vnd.microsoft.portable-executable"] = true,
  ["application/x-msdownload"] = true, ["application/x-msi"] = true,
  ["application/x-ms-installer"] = true, ["application/java-archive"] = true,
  ["application/x-java-archive"] = true, ["application/x-sh"] = true,
  ["text/x-shellscript"] = true, ["application/hta"] = true,
}

local function executable(event)
  local types = event.resp_mime_types
  if types == nil then
    return nil
  end
  for _, t in ipairs(types) do
    if EXECUTABLE[t] then
      return t
    end
  end
  return nil
end

-- The Host header is a bare address (or there is none): nobody typed a
-- name, a script or a dropper did.
local function by_address(event)
  local host = event.host
  if host == nil or host == "" then
    return true
  end
  host = string.match(host, "^%[(.*)%]") or string.match(host, "^([^:]+):%d+$") or host
  return net.is_ip(host)
end

function rule(event)
  if not netmon.is_public(event["id.resp_h"]) or not by_address(event) then
    return false
  end
  local status = event.status_code
  if status ~= nil and status >= 400 then
    return false
  end
  return netmon.script_client(event.user_agent) ~= nil or executable(event) ~= nil
end

local function how(event)
  return netmon.script_client(event.user_agent) or "a browser-like client"
end

function title(event)
  return string.format("%s fetched %s from internet address %s with %s",
    event["id.orig_h"] or "?", event.uri or "/", event["id.resp_h"], how(event))
end

function dedup(event)
  return (event["id.orig_h"] or "?") .. "->" .. event["id.resp_h"]
end

-- A scripting client that received a program is a dropper's second stage.
function severity(event)
  if netmon.script_client(event.user_agent) ~= nil and executable(event) ~= nil then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    client = event["id.orig_h"],
    server = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    method = event.method,
    host = event.host,
    uri = event.uri,
    user_agent = event.user_agent,
    client_tool = netmon.script_client(event.user_agent),
    status_code = event.status_code,
    mime_type = executable(event) or event:get("resp_mime_types", 1),
    response_bytes = event.response_body_len,
    file_ids = event.resp_fuids,
    uid = event.uid,
  }
end
