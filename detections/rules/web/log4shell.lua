local web = require("web")

-- Log4j lookups: ${jndi:...} and the nested forms used to hide it from
-- filters (${${lower:j}ndi:...}, ${${::-j}${::-n}di:...}), and the other
-- lookups attackers use to read secrets out through a JNDI or DNS callback
-- (${env:AWS_SECRET_ACCESS_KEY}, ${sys:java.version}).
-- The regexp runs only on a decoded value that holds "${" (match.patterns
-- finds it first), compiled once.
local LOOKUP = match.patterns({
  { "lookup", [[\$\{\s*((jndi|lower|upper|env|sys|java|main|base64|date|k8s|docker|spring|bundle|ctx|marker|sd|log4j|web|jvmrunargs)\s*:|::-|\$\{)]], { "${" } },
})

-- The fields of an access log line a client controls.
local FIELDS = { "request_uri", "request", "user_agent", "referer", "x_forwarded_for", "remote_user" }

-- A lookup needs a "$", sent as is or encoded (%24, %2524, \x24, %u0024):
-- the fields that have neither are not decoded.
local DOLLAR = match.literals({ "$", "24" })

local function found(event)
  for i = 1, #FIELDS do
    local f = FIELDS[i]
    local v = event[f]
    if v ~= nil and DOLLAR:test(v) then
      local d = web.decode(v)
      if LOOKUP:test(d) then
        return f, d
      end
    end
  end
  return nil
end

-- callback is the host a ${jndi:ldap://host/...} payload calls, after
-- undoing the one-character hiding lookups (${::-j}, ${lower:n}).
local function callback(decoded)
  if decoded == nil then
    return nil
  end
  decoded = re.replace([[\$\{(::-|lower:|upper:)([^}])\}]], decoded, "$2")
  local g = re.groups([[jndi:(ldaps?|rmi|dns|iiop|corba|nds|nis|http)://([^/}:\s]+)]], decoded)
  if g == nil then
    return nil
  end
  return g[3]
end

function rule(event)
  -- found's first test on each field, spelt out so that the engine checks
  -- it in Go (a guard).
  if not (DOLLAR:test(event.request_uri) or DOLLAR:test(event.request) or DOLLAR:test(event.user_agent)
      or DOLLAR:test(event.referer) or DOLLAR:test(event.x_forwarded_for) or DOLLAR:test(event.remote_user)) then
    return false
  end
  return found(event) ~= nil and not web.is_authorized_scanner(event)
end

function title(event)
  local field = found(event)
  return string.format("Log4Shell (JNDI lookup) attempt in %s from %s: %s", field, web.client(event),
    web.request_summary(event))
end

function dedup(event)
  return web.client(event)
end

function alert_context(event)
  local ctx = web.context(event)
  local field, decoded = found(event)
  ctx.found_in = field
  ctx.payload = web.short(decoded, 500)
  ctx.callback_host = callback(decoded)
  return ctx
end
