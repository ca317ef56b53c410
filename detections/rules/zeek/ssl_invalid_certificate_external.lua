local netmon = require("netmon")

-- OpenSSL's verification results (1.1 and 3.x spellings) that mean the
-- server's own certificate is untrustworthy. "unable to get local issuer
-- certificate" is left out: it mostly means the server did not send its
-- intermediate or Zeek's CA bundle lacks a root.
local BAD = {
  { pattern = [[^self[- ]signed certificate$]], reason = "a self-signed" },
  { pattern = [[^certificate has expired$]], reason = "an expired" },
  { pattern = [[^certificate is not yet valid$]], reason = "a not yet valid" },
}

local function reason(event)
  local status = event.validation_status
  if type(status) ~= "string" then
    return nil
  end
  for _, b in ipairs(BAD) do
    if re.match("(?i)" .. b.pattern, status) then
      return b.reason
    end
  end
  return nil
end

-- The client completed the handshake (it accepted the certificate) with a
-- server on the internet.
function rule(event)
  return event.established == true and reason(event) ~= nil
    and netmon.is_public(event["id.resp_h"])
end

local function server(event)
  local name = event.server_name
  if name ~= nil and name ~= "" then
    return string.format("%s (%s)", event["id.resp_h"], string.lower(name))
  end
  return event["id.resp_h"]
end

function title(event)
  return string.format("%s accepted %s certificate from internet server %s",
    event["id.orig_h"] or "?", reason(event), server(event))
end

-- One server certificate problem, however many clients and connections.
function dedup(event)
  return (event["id.resp_h"] or "?") .. ":" .. tostring(event["id.resp_p"]) .. ":" .. string.lower(event.server_name or "")
end

function alert_context(event)
  return {
    client = event["id.orig_h"],
    server = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    server_name = event.server_name,
    validation_status = event.validation_status,
    subject = event.subject,
    issuer = event.issuer,
    cert_fingerprint = event:get("cert_chain_fps", 1),
    ja3 = event.ja3,
    version = event.version,
  }
end
