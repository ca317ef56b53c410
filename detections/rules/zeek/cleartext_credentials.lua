local netmon = require("netmon")

-- FTP's anonymous logins carry no secret; "<unknown>" is Zeek's value
-- before any USER command.
local NOT_A_USER = { anonymous = true, ftp = true, ["<unknown>"] = true, [""] = true }

-- proto names the protocol and returns the user, or nil when the event
-- carries no credentials.
local function creds(event)
  if event.p_log_type == "Zeek.FTP" then
    local user = event.user
    if type(user) == "string" and not NOT_A_USER[string.lower(user)] then
      return "FTP", user
    end
    return nil
  end
  -- Zeek.HTTP: username comes from a Basic Authorization header.
  local user = event.username
  if type(user) == "string" and user ~= "" then
    return "HTTP Basic", user
  end
  return nil
end

function rule(event)
  return creds(event) ~= nil
end

function title(event)
  local proto, user = creds(event)
  return string.format("Cleartext %s credentials for %s sent from %s to %s",
    proto, user, event["id.orig_h"] or "?", netmon.endpoint(event["id.resp_h"], event["id.resp_p"]))
end

-- One account on one server: every later command of the session joins.
function dedup(event)
  local proto, user = creds(event)
  return proto .. ":" .. user .. "@" .. (event["id.resp_h"] or "?")
end

-- Credentials crossing the internet in clear are exposed to anyone on the
-- path; inside the network, to anyone who can sniff it.
function severity(event)
  if netmon.is_public(event["id.resp_h"]) or netmon.is_public(event["id.orig_h"]) then
    return "Medium"
  end
  return "DEFAULT"
end

function alert_context(event)
  local proto, user = creds(event)
  return {
    protocol = proto,
    user = user,
    client = event["id.orig_h"],
    server = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    host = event.host,
    uri = event.uri,
    command = event.command,
    reply = event.reply_msg,
    uid = event.uid,
  }
end
