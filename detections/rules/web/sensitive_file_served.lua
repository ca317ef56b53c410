local web = require("web")

-- Files that must never be served, as Lua patterns on the decoded,
-- lower-cased path (query removed), with what they give away. Extend the
-- list for your stack.
local FILES = {
  { "/%.env$", "environment file (secrets)" },
  { "/%.env%.[%w_%-]+$", "environment file (secrets)" },
  { "/%.git/", "git repository (source, history, credentials)" },
  { "/%.svn/", "Subversion metadata (source)" },
  { "/%.hg/", "Mercurial repository (source)" },
  { "/%.htpasswd$", "Apache password file" },
  { "/%.htaccess$", "Apache access rules" },
  { "/wp%-config%.php$", "WordPress configuration (database password)" },
  { "/wp%-config%.php[%.~_%-].*$", "WordPress configuration backup (database password)" },
  { "%.php[%._]?bak$", "PHP source backup" },
  { "%.php~$", "PHP source backup" },
  { "%.php%.old$", "PHP source backup" },
  { "%.php%.orig$", "PHP source backup" },
  { "%.php%.save$", "PHP source backup" },
  { "%.php%.sw[op]$", "PHP editor swap file" },
  { "%.php%.txt$", "PHP source copy" },
  { "/%.aws/credentials$", "AWS credentials" },
  { "/%.ssh/", "SSH keys" },
  { "/id_rsa$", "SSH private key" },
  { "/id_ed25519$", "SSH private key" },
  { "/%.npmrc$", "npm token" },
  { "/%.pypirc$", "PyPI token" },
  { "/%.docker/config%.json$", "Docker registry credentials" },
  { "/%.kube/config$", "Kubernetes credentials" },
  { "/%.bash_history$", "shell history" },
  { "/%.vscode/sftp%.json$", "editor SFTP credentials" },
  { "/%.idea/workspace%.xml$", "IDE workspace (paths, run configurations)" },
  { "/%.ds_store$", "macOS folder listing" },
  { "/server%-status$", "Apache mod_status (clients, URLs)" },
  { "/server%-info$", "Apache mod_info (configuration)" },
  { "/phpinfo%.php$", "phpinfo() output (environment, paths)" },
  { "/actuator/env$", "Spring Boot environment (secrets)" },
  { "/actuator/heapdump$", "Spring Boot heap dump (secrets in memory)" },
  { "/actuator/configprops$", "Spring Boot configuration" },
  { "/debug/pprof/", "Go profiler" },
  { "/web%.config$", "IIS configuration" },
  { "/elmah%.axd$", "ASP.NET error log" },
  { "/trace%.axd$", "ASP.NET request trace" },
  { "/wp%-content/debug%.log$", "WordPress debug log" },
  { "/storage/logs/laravel%.log$", "Laravel log" },
  { "%.sql$", "database dump" },
  { "%.sql%.gz$", "database dump" },
  { "%.sql%.zip$", "database dump" },
  { "%.sqlite3?$", "SQLite database" },
  { "/backup%.zip$", "site backup" },
  { "/backup%.tar%.gz$", "site backup" },
  { "/backup%.tgz$", "site backup" },
}

local function leaked(event)
  local p = web.path(event)
  for _, f in ipairs(FILES) do
    if p:find(f[1]) then
      return f[2]
    end
  end
  return nil
end

-- Served: a 2xx with a body. wp-config.php run by PHP answers 200 with an
-- empty body, which gives nothing away; the same file served as text (PHP
-- not running) has a body.
function rule(event)
  local s = web.status(event)
  if s < 200 or s >= 300 then
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
