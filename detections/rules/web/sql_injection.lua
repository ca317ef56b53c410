local web = require("web")

-- SQL injection shapes, matched (Go regexp) against the decoded,
-- lower-cased request target, with the substrings one of which each needs
-- (web.matcher runs the regexp only then). Each needs SQL syntax around its keyword, so
-- that a search for "union select committee" or a page about
-- information_schema does not match.
local SHAPES = {
  { "union select", [[union(\s|/\*.*?\*/)+((all|distinct)(\s|/\*.*?\*/)+)?select(\s|/\*.*?\*/)*(null|[0-9@'"(*]|[a-z_]+\s*\(|[a-z_]+\s*,|[a-z_]+\s+from\b)]], { "union" } },
  { "tautology", [['\)*\s*(or|and|\|\||&&)\s+\(*['"]?[a-z0-9_]+['"]?\s*(=|<>|!=|<|>|\blike\b)\s*\(*['"]?[a-z0-9_]*]], { "'" } },
  { "tautology", [["\)*\s*(or|and|\|\||&&)\s+\(*['"]?[a-z0-9_]+['"]?\s*(=|<>|!=|<|>|\blike\b)\s*\(*['"]?[a-z0-9_]*]], { '"' } },
  { "comment after a quote", [['\)*\s*(--|#)(\s|&|$)]], { "'" } },
  { "time delay", [[\b(sleep|pg_sleep)\s*\(\s*\d+(\.\d+)?\s*\)|\bbenchmark\s*\(\s*\d+\s*,|\bwaitfor\s+delay\s+'\d]], { "sleep", "benchmark", "waitfor" } },
  { "error-based function", [[\b(extractvalue|updatexml)\s*\(\s*(\d|0x|\(\s*select|concat|char|rand)]], { "extractvalue", "updatexml" } },
  { "schema enumeration", [[\bfrom\s+(information_schema\.|mysql\.user\b|pg_catalog\.|sys\.(objects|tables|columns)\b|sysobjects\b|all_tables\b|sqlite_master\b)]], { "from" } },
  { "database fingerprint", [[@@version\b|\bversion\s*\(\s*\)\s*(--|#|,|\)|from)|\bdatabase\s*\(\s*\)\s*(--|#|,|\))|\buser\s*\(\s*\)\s*(--|#|,|\))]], { "@@version", "version", "database", "user" } },
  { "stacked query", [[;\s*(drop\s+(table|database)|truncate\s+table|shutdown\b|exec(ute)?\s+(xp_|sp_)|declare\s+@)]], { ";" } },
  { "file or command access", [[\bload_file\s*\(|\binto\s+(out|dump)file\b|\bxp_cmdshell\b|\bdbms_pipe\.receive_message\b|\butl_(inaddr|http)\.]], { "load_file", "outfile", "dumpfile", "xp_cmdshell", "dbms_pipe", "utl_" } },
  { "sqlmap marker", [[concat(_ws)?\s*\(\s*0x[0-9a-f]{6,}|\bchar\(\s*\d+\s*(,\s*\d+\s*){3,}\)]], { "0x", "char(" } },
}

local SQLI = match.patterns(SHAPES)

-- shape returns the name of the first shape the request matches, or nil.
local function shape(event)
  return (SQLI:first(web.decode(web.target(event))))
end

function rule(event)
  -- The decoded target (web.decode(web.target(event)), spelt out) must hold
  -- a needle of a shape: the engine checks this opening in Go (a guard),
  -- so the usual request never reaches Lua.
  if not SQLI:test(codec.unescape(event.request_uri or event.request or "", true)) then
    return false
  end
  return shape(event) ~= nil and not web.is_authorized_scanner(event)
end

function title(event)
  return string.format("SQL injection attempt (%s) from %s: %s", shape(event), web.client(event),
    web.request_summary(event))
end

function dedup(event)
  return web.client(event)
end

-- A server error on an injection payload is what a tool looks for: the
-- input reached the database and broke the query. A 4xx was refused.
function severity(event)
  local s = web.status(event)
  if s >= 500 then
    return "High"
  end
  if s >= 400 then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.shape = shape(event)
  ctx.decoded_target = web.short(web.decode(web.target(event)), 500)
  return ctx
end
