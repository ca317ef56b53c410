local netmon = require("netmon")

-- A bash function definition at the start of a header value, as the
-- CVE-2014-6271 family of exploits sends it (also URL-encoded in a URI).
local SHELLSHOCK = [=[\(\)\s*\{|%28%29(%20|\+)*%7[Bb]]=]

-- field names the field of the event holding the payload, or nil.
local function field(event)
  local candidates
  if event.p_log_type == "Zeek.Software" then
    candidates = { "unparsed_version" }
  else
    candidates = { "user_agent", "referrer", "uri" }
  end
  for _, f in ipairs(candidates) do
    local v = event[f]
    if type(v) == "string" and re.find(SHELLSHOCK, v) then
      return f
    end
  end
  return nil
end

local function source(event)
  if event.p_log_type == "Zeek.Software" then
    return event.host
  end
  return event["id.orig_h"]
end

function rule(event)
  return field(event) ~= nil and not netmon.in_list(source(event), netmon.authorized_scanners)
end

function title(event)
  local target = event["id.resp_h"]
  if target then
    return string.format("Shellshock (CVE-2014-6271) attempt from %s against %s", source(event) or "?", target)
  end
  return string.format("Shellshock (CVE-2014-6271) attempt from %s", source(event) or "?")
end

function dedup(event)
  return source(event) or "?"
end

function alert_context(event)
  local f = field(event)
  return {
    source_ip = source(event),
    source_where = netmon.where(source(event)),
    first_target = event["id.resp_h"],
    host = event.host,
    payload_field = f,
    payload = event[f],
    uri = event.uri,
    status_code = event.status_code,
    uid = event.uid,
  }
end
