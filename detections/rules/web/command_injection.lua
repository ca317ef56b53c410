local web = require("web")

-- Shapes matched (Go regexp) against the decoded, lower-cased request
-- target, each with the substrings one of which it needs (web.matcher runs
-- the regexp only then). Commands that are also common words (id, cat, ls,
-- echo, ping...) count only after a shell separator that URLs do not use
-- (; ` $( && || newline); unmistakable programs also after a single pipe.
local TARGET_SHAPES = {
  { "shell command", [[(\||;|`|\$\(|&&|\n)\s*(wget|curl|nc|ncat|netcat|bash|zsh|python[0-9.]*|perl|powershell|busybox|tftp|whoami|uname|nslookup|ifconfig|ipconfig|base64|chmod)\b(\s|$|;|\||&|`|\)|<|>)]], { "|", ";", "`", "$(", "&&", "\n" } },
  { "shell command", [[(;|`|\$\(|&&|\|\||\n)\s*(id|cat|ls|echo|sleep|rm|ping|dig|sh|php|ruby|hostname|pwd|uname)\b(\s|$|;|\||&|`|\)|<|>)]], { ";", "`", "$(", "&&", "||", "\n" } },
  { "web shell parameter", [[[?&](cmd|exec|command|execute|shell)=\s*(wget|curl|id|whoami|uname|ls|dir|cat|bash|sh|nc|powershell|cmd|ipconfig|ifconfig|net\s+user|echo|ping|pwd)\b]], { "cmd=", "exec=", "command=", "execute=", "shell=" } },
  { "Windows command", [[\bcmd(\.exe)?[?\s]*/c\s|\bpowershell(\.exe)?\s+(-[a-z]+\s+)*-(e|enc|encodedcommand|c|command)\b]], { "cmd", "powershell" } },
}
-- Shapes that are never part of a normal URL or header, looked for in the
-- target, the user agent and the referer. The reverse shell's needles are
-- "nc" and "sh" followed by the whitespace \s stands for (space, \t, \n,
-- \f, \r), not "nc" and "-i" alone, which every other referer holds.
local ANY_SHAPES = {
  { "shellshock", [[\(\)\s*\{[^}]*;\s*\}\s*;]], { "()" } },
  { "reverse shell", [[/dev/(tcp|udp)/|\bnc(at)?\s+(-[a-z]*e|-c)\s|\b(ba)?sh\s+-i\b|(=|\s|;|\||`)/bin/(ba|z|da)?sh\b]], { "/dev/", "nc ", "nc\t", "nc\n", "nc\f", "nc\r", "ncat", "sh ", "sh\t", "sh\n", "sh\f", "sh\r", "/bin/" } },
  { "PHP code", [[<\?php|\b(system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s*\(\s*['"$]|\beval\s*\(\s*(base64_decode|gzinflate|str_rot13|\$_)|\bassert\s*\(\s*\$_|allow_url_include|auto_prepend_file|php://input]], { "<?php", "system", "passthru", "shell_exec", "popen", "proc_open", "pcntl_exec", "eval", "assert", "allow_url_include", "auto_prepend_file", "php://input" } },
  { "Java expression", [[#_memberaccess|@java\.lang\.runtime@getruntime|java\.lang\.runtime\)?\.getruntime\(|new\s+java\.lang\.processbuilder|class\.module\.classloader]], { "#_memberaccess", "java.lang", "class.module" } },
}

-- Each matcher finds every needle in one pass and runs only the regexps
-- whose needles are there.
local TARGET = match.patterns(TARGET_SHAPES)
local ANYWHERE = match.patterns(ANY_SHAPES)

-- shape returns the kind of payload and where it was, or nil.
local function shape(event)
  local target = web.decode(web.target(event))
  local kind = TARGET:first(target) or ANYWHERE:first(target)
  if kind then
    return kind, "request"
  end
  local ua = event.user_agent
  if ua ~= nil then
    kind = ANYWHERE:first(web.decode(ua))
    if kind then
      return kind, "user agent"
    end
  end
  local referer = event.referer
  if referer ~= nil then
    kind = ANYWHERE:first(web.decode(referer))
    if kind then
      return kind, "referer"
    end
  end
  return nil
end

function rule(event)
  -- A needle somewhere (the decoded fields, spelt out): the engine checks
  -- this opening in Go (a guard), so the usual request never reaches Lua.
  if not (TARGET:test(codec.unescape(event.request_uri or event.request or "", true))
      or ANYWHERE:test(codec.unescape(event.request_uri or event.request or "", true))
      or ANYWHERE:test(codec.unescape(event.user_agent, true))
      or ANYWHERE:test(codec.unescape(event.referer, true))) then
    return false
  end
  return shape(event) ~= nil and not web.is_authorized_scanner(event)
end

function title(event)
  local kind, where = shape(event)
  return string.format("Command injection attempt (%s in the %s) from %s: %s", kind, where,
    web.client(event), web.request_summary(event))
end

function dedup(event)
  return web.client(event)
end

-- The access log cannot show whether a command ran; a 4xx at least says
-- the request was refused or hit nothing.
function severity(event)
  local s = web.status(event)
  if s >= 400 and s < 500 then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = web.context(event)
  local kind, where = shape(event)
  ctx.shape = kind
  ctx.found_in = where
  ctx.decoded_target = web.short(web.decode(web.target(event)), 500)
  return ctx
end
