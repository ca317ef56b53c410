-- Helpers shared by the web access log detections. require("web") returns
-- this table. The events are those of parsers/web: remote_ip, remote_user,
-- method, request_uri, protocol, request (a request line that does not
-- split), status, body_bytes, referer, user_agent, x_forwarded_for. Values
-- are as the server logged them: percent-encoding and Apache's \xHH escapes
-- are not undone by the parser; decode() does it for matching.
--
-- The "Known good" tables are data: edit them in your fork of the
-- detections, or mock them in a test
-- (Mocks: [{objectName: web.authorized_scanners, returnValue: [...]}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- authorized_scanners: CIDRs of the scanners you run or pay for (your
-- vulnerability scanner, the PCI ASV, a pentest firm's addresses during an
-- engagement). The scanner, attack and burst detections skip them.
-- Example: { "198.51.100.0/28", "10.20.0.15/32" }
M.authorized_scanners = {}

---------------------------------------------------------------------------
-- Reference data
---------------------------------------------------------------------------

-- scanner_agents: attack and vulnerability-scanning tools that name
-- themselves in the User-Agent by default, as { needle, tool, kind }:
-- needle is a lower-case substring of the user agent; kind "exploit" marks
-- tools that exploit what they find rather than only report it. Internet
-- census scanners (zgrab, masscan, CensysInspect, Expanse) are left out
-- on purpose: they touch every public address every day, and an alert per
-- visit would be noise.
M.scanner_agents = {
  { "sqlmap", "sqlmap", "exploit" },
  { "commix", "commix", "exploit" },
  { "havij", "Havij", "exploit" },
  { "(hydra)", "THC Hydra", "exploit" },
  { "nikto", "Nikto", "scanner" },
  { "nuclei", "Nuclei", "scanner" },
  { "wpscan", "WPScan", "scanner" },
  { "joomscan", "JoomScan", "scanner" },
  { "droopescan", "droopescan", "scanner" },
  { "whatweb", "WhatWeb", "scanner" },
  { "nmap scripting engine", "Nmap NSE", "scanner" },
  { "acunetix", "Acunetix", "scanner" },
  { "netsparker", "Netsparker", "scanner" },
  { "invicti", "Invicti", "scanner" },
  { "appscan", "AppScan", "scanner" },
  { "nessus", "Nessus", "scanner" },
  { "openvas", "OpenVAS", "scanner" },
  { "qualys", "Qualys", "scanner" },
  { "w3af", "w3af", "scanner" },
  { "arachni", "Arachni", "scanner" },
  { "skipfish", "skipfish", "scanner" },
  { "dirbuster", "DirBuster", "scanner" },
  { "gobuster", "gobuster", "scanner" },
  { "feroxbuster", "feroxbuster", "scanner" },
  { "fuzz faster u fool", "ffuf", "scanner" },
  { "wfuzz", "Wfuzz", "scanner" },
  { "xsstrike", "XSStrike", "scanner" },
  { "jorgee", "Jorgee", "scanner" },
  { "zmeu", "ZmEu", "scanner" },
  { "morfeus", "Morfeus", "scanner" },
  { "l9explore", "LeakIX l9explore", "scanner" },
}

---------------------------------------------------------------------------
-- Reading the events
---------------------------------------------------------------------------

-- decode returns s as the application would see it, lower-cased: %XX,
-- %u00XX and \xHH (Apache's escape of a raw byte) undone, repeatedly (three
-- rounds: double and triple encoding), '+' read as a space, and overlong
-- UTF-8 dots and slashes folded. For matching only: never show it as what
-- the client sent. codec.unescape does it in Go and keeps the result for
-- the event, so the rules that decode the same field pay once.
function M.decode(s)
  if s == nil then
    return ""
  end
  return codec.unescape(s, true)
end

-- matcher turns a list of { name, Go regexp, needles } into a function
-- that returns the name of the first shape matching its argument, or nil.
-- needles are plain substrings of which a match must hold at least one:
-- the regexp runs only when one is there (match.patterns finds them all
-- in one pass), so the usual request costs one scan of the string.
function M.matcher(shapes)
  local set = match.patterns(shapes)
  return function(s)
    if s == nil or s == "" then
      return nil
    end
    return (set:first(s))
  end
end

-- target is the request target as logged: request_uri, or the whole
-- request line when it did not split (raw probes, garbage).
function M.target(event)
  return event.request_uri or event.request or ""
end

-- raw_path is the target without its query string, as logged: for titles
-- and context, where the responder needs what the client sent.
function M.raw_path(event)
  local t = M.target(event)
  local q = t:find("?", 1, true)
  local h = t:find("#", 1, true)
  if h ~= nil and (q == nil or h < q) then
    q = h
  end
  if q ~= nil then
    return t:sub(1, q - 1)
  end
  return t
end

-- path is raw_path decoded and lower-cased: for matching and for grouping
-- (dedup), where /%2Egit/config and /.git/config are one file.
function M.path(event)
  return M.decode(M.raw_path(event))
end

-- client is the address that sent the request (a name when Apache's
-- HostnameLookups is on).
function M.client(event)
  return event.remote_ip or "unknown client"
end

-- status is the response status as a number (0 when missing).
function M.status(event)
  return tonumber(event.status) or 0
end

-- source_ip is the client address, only when it is an address (Apache's
-- HostnameLookups logs names). Data model method of the web log types.
function M.source_ip(event)
  if net.is_ip(event.remote_ip) then
    return event.remote_ip
  end
  return nil
end

-- is_authorized_scanner: the client is in authorized_scanners.
function M.is_authorized_scanner(event)
  if next(M.authorized_scanners) == nil then
    return false
  end
  return event.remote_ip ~= nil and net.in_cidr(event.remote_ip, M.authorized_scanners)
end

-- scanner returns the tool and kind a user agent names (the first entry
-- of scanner_agents whose needle it holds, in any case), or nil.
-- match.literals reads the needle of each { needle, tool, kind } entry;
-- it is compiled once per list (a test's mock is another list).
function M.scanner(user_agent)
  if user_agent == nil or user_agent == "" then
    return nil
  end
  local _, i = match.literals(M.scanner_agents, { ignore_case = true }):first(user_agent)
  if i == nil then
    return nil
  end
  local s = M.scanner_agents[i]
  return s[2], s[3]
end

-- short cuts s to n characters for titles.
function M.short(s, n)
  n = n or 80
  if s == nil then
    return "?"
  end
  if #s > n then
    return s:sub(1, n - 3) .. "..."
  end
  return s
end

-- request_summary is "GET /path?query (404)" for titles.
function M.request_summary(event)
  return string.format("%s %s (%s)", event.method or "?", M.short(M.target(event), 80),
    tostring(event.status or "?"))
end

-- context is the alert context of an access log event.
function M.context(event)
  return {
    client_ip = event.remote_ip,
    remote_user = event.remote_user,
    method = event.method,
    request_uri = M.short(M.target(event), 500),
    status = event.status,
    body_bytes = event.body_bytes,
    user_agent = event.user_agent,
    referer = event.referer,
    x_forwarded_for = event.x_forwarded_for,
    log_type = event.p_log_type,
    source = event.p_source_label,
  }
end

return M
