local web = require("web")

-- Files that must never be served: a Lua pattern on the decoded,
-- lower-cased path (query removed), what the file gives away, and a plain
-- substring that every path the pattern matches holds (looked for first:
-- plain searches cost far less than patterns). Extend the list for your
-- stack.
local FILES = {
  { "/%.env$", "environment file (secrets)", "/.env" },
  { "/%.env%.[%w_%-]+$", "environment file (secrets)", "/.env." },
  { "/%.git/", "git repository (source, history, credentials)", "/.git/" },
  { "/%.svn/", "Subversion metadata (source)", "/.svn/" },
  { "/%.hg/", "Mercurial repository (source)", "/.hg/" },
  { "/%.htpasswd$", "Apache password file", "/.htpasswd" },
  { "/%.htaccess$", "Apache access rules", "/.htaccess" },
  { "/wp%-config%.php$", "WordPress configuration (database password)", "/wp-config.php" },
  { "/wp%-config%.php[%.~_%-].*$", "WordPress configuration backup (database password)", "/wp-config.php" },
  { "%.php[%._]?bak$", "PHP source backup", ".php" },
  { "%.php~$", "PHP source backup", ".php~" },
  { "%.php%.old$", "PHP source backup", ".php.old" },
  { "%.php%.orig$", "PHP source backup", ".php.orig" },
  { "%.php%.save$", "PHP source backup", ".php.save" },
  { "%.php%.sw[op]$", "PHP editor swap file", ".php.sw" },
  { "%.php%.txt$", "PHP source copy", ".php.txt" },
  { "/%.aws/credentials$", "AWS credentials", "/.aws/credentials" },
  { "/%.ssh/", "SSH keys", "/.ssh/" },
  { "/id_rsa$", "SSH private key", "/id_rsa" },
  { "/id_ed25519$", "SSH private key", "/id_ed25519" },
  { "/%.npmrc$", "npm token", "/.npmrc" },
  { "/%.pypirc$", "PyPI token", "/.pypirc" },
  { "/%.docker/config%.json$", "Docker registry credentials", "/.docker/config.json" },
  { "/%.kube/config$", "Kubernetes credentials", "/.kube/config" },
  { "/%.bash_history$", "shell history", "/.bash_history" },
  { "/%.vscode/sftp%.json$", "editor SFTP credentials", "/.vscode/sftp.json" },
  { "/%.idea/workspace%.xml$", "IDE workspace (paths, run configurations)", "/.idea/workspace.xml" },
  { "/%.ds_store$", "macOS folder listing", "/.ds_store" },
  { "/server%-status$", "Apache mod_status (clients, URLs)", "/server-status" },
  { "/server%-info$", "Apache mod_info (configuration)", "/server-info" },
  { "/phpinfo%.php$", "phpinfo() output (environment, paths)", "/phpinfo.php" },
  { "/actuator/env$", "Spring Boot environment (secrets)", "/actuator/env" },
  { "/actuator/heapdump$", "Spring Boot heap dump (secrets in memory)", "/actuator/heapdump" },
  { "/actuator/configprops$", "Spring Boot configuration", "/actuator/configprops" },
  { "/debug/pprof/", "Go profiler", "/debug/pprof/" },
  { "/web%.config$", "IIS configuration", "/web.config" },
  { "/elmah%.axd$", "ASP.NET error log", "/elmah.axd" },
  { "/trace%.axd$", "ASP.NET request trace", "/trace.axd" },
  { "/wp%-content/debug%.log$", "WordPress debug log", "/wp-content/debug.log" },
  { "/storage/logs/laravel%.log$", "Laravel log", "/storage/logs/laravel.log" },
  { "%.sql$", "database dump", ".sql" },
  { "%.sql%.gz$", "database dump", ".sql.gz" },
  { "%.sql%.zip$", "database dump", ".sql.zip" },
  { "%.sqlite3?$", "SQLite database", ".sqlite" },
  { "/backup%.zip$", "site backup", "/backup.zip" },
  { "/backup%.tar%.gz$", "site backup", "/backup.tar.gz" },
  { "/backup%.tgz$", "site backup", "/backup.tgz" },
}

-- Every entry's plain substring in one matcher: a path that holds none of
-- them (almost every path) is done in one Go call.
local needles = {}
for i, f in ipairs(FILES) do
  needles[i] = f[3]
end
local ANY_FILE = match.literals(needles)

-- Shorter texts one of which every entry's substring holds, as constants
-- so that the engine can check the opening of rule() in Go (a guard).
-- Loading fails if an entry is added that none of them covers.
local MAYBE = match.literals({ "/.", ".php", ".sql", "/id_", "/server-", "/actuator/", "/debug/pprof/",
  "/web.config", ".axd", "/wp-content/", "/storage/logs/", "/backup." })
for _, f in ipairs(FILES) do
  if not MAYBE:test(f[3]) then
    error("sensitive_file_served: add a text of " .. f[3] .. " to MAYBE")
  end
end

local function leaked(event)
  local p = web.path(event)
  if not ANY_FILE:test(p) then
    return nil
  end
  for _, f in ipairs(FILES) do
    if p:find(f[3], 1, true) and p:find(f[1]) then
      return f[2]
    end
  end
  return nil
end

-- Served: a 2xx with a body. wp-config.php run by PHP answers 200 with an
-- empty body, which gives nothing away; the same file served as text (PHP
-- not running) has a body.
function rule(event)
  -- A 2xx for a target that may name such a file (the decoded target
  -- holds the decoded path): the engine checks this in Go (a guard).
  if not MAYBE:test(codec.unescape(event.request_uri or event.request or "", true))
    or (event.status or 0) < 200 or (event.status or 0) >= 300 then
    return false
  end
  if (tonumber(event.body_bytes) or 0) == 0 and event.method ~= "HEAD" then
    return false
  end
  return leaked(event) ~= nil and not web.is_authorized_scanner(event)
end

function title(event)
  return string.format("Sensitive file %s served to %s (%s, %s bytes)", web.short(web.raw_path(event), 80),
    web.client(event), tostring(event.status), tostring(event.body_bytes or 0))
end

-- The file is what needs fixing, whoever fetched it.
function dedup(event)
  return web.path(event)
end

function alert_context(event)
  local ctx = web.context(event)
  ctx.exposes = leaked(event)
  ctx.path = web.raw_path(event)
  return ctx
end
