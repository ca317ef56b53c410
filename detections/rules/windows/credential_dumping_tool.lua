local windows = require("windows")

local PATTERNS = {
  {"(?i)sekurlsa::|lsadump::|kerberos::golden|privilege::debug|mimikatz", "Mimikatz"},
  {"(?i)comsvcs(\\.dll)?[ ,]+#?(minidump|24)", "comsvcs MiniDump"},
  {"(?i)procdump(64)?(\\.exe)?\\s.*(lsass|-ma\\s+\\d+)", "procdump of LSASS"},
  {"(?i)ntdsutil.*(ifm|create full)", "ntdsutil IFM"},
  {"(?i)(copy|esentutl).*\\\\(ntds\\.dit|config\\\\sam)", "ntds.dit or SAM copied"},
  {"(?i)reg(\\.exe)?\\s+save\\s+\\S*hklm\\\\(sam|system|security)", "registry hive saved"},
}

local function finding(event)
  local ok, _, cmdline = windows.process_create(event)
  if not ok or cmdline == "" then
    return nil
  end
  for _, p in ipairs(PATTERNS) do
    if re.match(p[1], cmdline) then
      return p[2]
    end
  end
  return nil
end

function rule(event)
  return finding(event) ~= nil
end

function title(event)
  return string.format("Credential dumping on %s (%s)", windows.host(event), finding(event))
end

function dedup(event)
  return windows.host(event) .. ":" .. finding(event)
end

function alert_context(event)
  local ctx = windows.context(event)
  local _, image, cmdline, parent = windows.process_create(event)
  ctx.finding = finding(event)
  ctx.image = image
  ctx.command_line = cmdline
  ctx.parent_image = parent
  return ctx
end
