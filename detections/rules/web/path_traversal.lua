local web = require("web")

-- Files that traversal payloads go for; a success response on one of them
-- is the worst case.
local TARGETS = { "etc/passwd", "etc/shadow", "etc/hosts", "proc/self/", "win.ini",
  "boot.ini", "windows/system32", ".ssh/id_", "web.config", "web-inf/web.xml",
  ".aws/credentials", ".env" }

-- dotdot finds a parent-directory segment in the decoded target: "../",
-- "..\", or a trailing "/..". Browsers resolve dot segments before they
-- send a URL (RFC 3986 section 5.2.4), so a real user's request has none.
local DOTDOT = match.literals({ "../", "..\\" })
-- What dotdot needs somewhere: for the guard below.
local DOTS = match.literals({ "../", "..\\", "/..", "\\.." })

local function dotdot(decoded)
  if DOTDOT:test(decoded) then
    return true
  end
  local tail = decoded:sub(-3)
  return tail == "/.." or tail == "\\.."
end

function rule(event)
  -- Checked in Go before Lua runs (a guard): no dot segment, no match.
  if not DOTS:test(codec.unescape(event.request_uri or event.request or "", true)) then
    return false
  end
  return dotdot(web.decode(web.target(event)))
    and not web.is_authorized_scanner(event)
end

local function aimed_at(event)
  local d = web.decode(web.target(event))
  for _, t in ipairs(TARGETS) do
    if d:find(t, 1, true) then
      return t
    end
  end
  return nil
end

function title(event)
  return string.format("Path traversal attempt from %s: %s", web.client(event), web.request_summary(event))
end

function dedup(event)
  return web.client(event)
end

-- A refused or missing response (4xx) is a probe that failed; a success
-- for a system file may have handed it over.
function severity(event)
  local s = web.status(event)
  if s >= 200 and s < 300 and aimed_at(event) ~= nil then
    return "High"
  end
  if s >= 400 and s < 500 then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.decoded_target = web.short(web.decode(web.target(event)), 500)
  ctx.aimed_at = aimed_at(event)
  return ctx
end
