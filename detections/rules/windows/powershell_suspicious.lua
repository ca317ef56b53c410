local windows = require("windows")

-- Patterns (Go regexp syntax, case-insensitive) and what they mean.
local PATTERNS = {
  {"(?i)(iex|invoke-expression).{0,80}(downloadstring|downloadfile|invoke-webrequest|iwr |net\\.webclient)", "download cradle"},
  {"(?i)(downloadstring|downloadfile|net\\.webclient).{0,80}\\|\\s*(iex|invoke-expression)", "download cradle"},
  {"(?i)-w(indowstyle)?\\s+hid.{0,60}-e(nc|ncodedcommand)?\\s+[a-z0-9+/=]{8,}", "hidden encoded command"},
  {"(?i)-e(nc|ncodedcommand)?\\s+[a-z0-9+/=]{8,}.{0,60}-w(indowstyle)?\\s+hid", "hidden encoded command"},
  {"(?i)amsiutils|amsiinitfailed|amsiscanbuffer", "AMSI bypass"},
  {"(?i)invoke-(mimikatz|shellcode|reflectivepeinjection|kerberoast|tokenmanipulation)|sekurlsa::|get-gpppassword", "offensive tooling"},
  {"(?i)\\[system\\.convert\\]::frombase64string.{0,120}(iex|invoke-expression|\\.invoke\\()", "decoded code run"},
}

local function text(event)
  if windows.id(event) == 4104 and string.find(windows.channel(event), "PowerShell", 1, true) then
    return windows.data(event, "ScriptBlockText")
  end
  local ok, image, cmdline = windows.process_create(event)
  if ok then
    local exe = windows.exe(image)
    if exe == "powershell.exe" or exe == "pwsh.exe" then
      return cmdline
    end
  end
  return nil
end

local function finding(event)
  local t = text(event)
  if t == nil then
    return nil
  end
  for _, p in ipairs(PATTERNS) do
    if re.match(p[1], t) then
      return p[2]
    end
  end
  return nil
end

function rule(event)
  return finding(event) ~= nil
end

function title(event)
  return string.format("Suspicious PowerShell on %s (%s)", windows.host(event), finding(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. finding(event)
end

function alert_context(event)
  local ctx = windows.context(event)
  ctx.finding = finding(event)
  ctx.code = string.sub(text(event) or "", 1, 2000)
  return ctx
end
