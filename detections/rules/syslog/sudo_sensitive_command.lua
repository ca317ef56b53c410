local syslog = require("syslog")

-- What counts as sensitive, by category, most severe first. The program
-- lists are data: extend them for your fleet.
local CATEGORIES = {
  defense = { title = "Audit or defences disabled", severity = "High", technique = "T1562.001 / T1070.002" },
  sudoers = { title = "sudo rights or admin groups changed", severity = "High", technique = "T1548.003" },
  setuid = { title = "Setuid bit or capability set", severity = "High", technique = "T1548.001" },
  account = { title = "Local account changed", severity = "Medium", technique = "T1136.001 / T1098" },
  credentials = { title = "Credential file touched", severity = "Medium", technique = "T1003.008 / T1098.004" },
  shell = { title = "Interactive root shell", severity = "Low", technique = "T1548.003" },
}
local ORDER = { "defense", "sudoers", "setuid", "account", "credentials", "shell" }

local SHELLS = { sh = true, bash = true, dash = true, zsh = true, ksh = true, mksh = true,
  csh = true, tcsh = true, fish = true, ash = true, su = true }
-- Programs that run the next word as the command.
local WRAPPERS = { env = true, nohup = true, nice = true, ionice = true, timeout = true,
  stdbuf = true, command = true, exec = true, xargs = true }
-- Programs that only read the files they are given.
local READERS = { cat = true, less = true, more = true, head = true, tail = true, grep = true,
  egrep = true, fgrep = true, zgrep = true, ls = true, stat = true, diff = true, wc = true,
  file = true, md5sum = true, sha1sum = true, sha256sum = true, getfacl = true, lsattr = true }
local ACCOUNT_TOOLS = { useradd = true, adduser = true, usermod = true, userdel = true,
  deluser = true, passwd = true, chpasswd = true, newusers = true, vipw = true }
-- Groups whose members are root in all but name: sudo rights on the common
-- distributions, or root through the container daemon.
local ADMIN_GROUPS = { sudo = true, wheel = true, admin = true, docker = true, lxd = true }
-- Services whose stopping blinds the host's audit trail or defences.
local DEFENCE_UNITS = { auditd = true, rsyslog = true, ["syslog-ng"] = true,
  ["systemd-journald"] = true, apparmor = true, firewalld = true, ufw = true,
  ["falcon-sensor"] = true, osqueryd = true, ["wazuh-agent"] = true, ["elastic-agent"] = true,
  filebeat = true, auditbeat = true, ["amazon-cloudwatch-agent"] = true, ["td-agent-bit"] = true,
  ["fluent-bit"] = true }
-- Logs that hold who logged in and what they did.
local AUTH_LOGS = { "/var/log/auth.log", "/var/log/secure", "/var/log/audit",
  "/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog", "/var/log/messages", "/var/log/syslog" }
-- Capabilities that amount to root.
local ROOT_CAPS = { "cap_setuid", "cap_setgid", "cap_sys_admin", "cap_dac_override",
  "cap_dac_read_search", "cap_sys_ptrace", "cap_sys_module", "cap_chown", "cap_fowner" }

local function basename(p)
  return p:match("([^/]+)$") or p
end

local function unquote(w)
  return (w:gsub("^['\"(]+", ""):gsub("['\")]+$", ""))
end

local function has(s, needle)
  return s:find(needle, 1, true) ~= nil
end

-- invocations splits a command line into the programs it runs: the command
-- itself, each part of a pipeline or list, and what a shell runs with -c.
-- sudo logs the argument vector joined by spaces, so this is word
-- splitting, not a shell parser; it is enough to find the program names.
local function invocations(cmd, depth, out)
  for seg in cmd:gmatch("[^;|&]+") do
    local w = {}
    for word in seg:gmatch("%S+") do
      w[#w + 1] = unquote(word)
    end
    local i = 1
    while w[i] ~= nil and (WRAPPERS[basename(w[i])] or w[i]:find("^[%a_][%w_]*=")) do
      i = i + 1
      while w[i] ~= nil and (w[i]:sub(1, 1) == "-" or w[i]:find("^%d+[smhd]?$")) do
        i = i + 1
      end
    end
    if w[i] ~= nil and w[i] ~= "" then
      local args = {}
      for j = i + 1, #w do
        args[#args + 1] = w[j]
      end
      local inv = { prog = basename(w[i]), args = args, text = seg, shell_c = false }
      if SHELLS[inv.prog] then
        local inner = seg:match("%s%-%a*c%s+(.*)$")
        if inner ~= nil then
          inv.shell_c = true
          if depth < 2 then
            invocations(inner, depth + 1, out)
          end
        end
      end
      out[#out + 1] = inv
    end
  end
  return out
end

local function any_arg(inv, pred)
  for _, a in ipairs(inv.args) do
    if pred(a) then
      return true
    end
  end
  return false
end

-- writes: the invocation may change the file (not a reader, or output is
-- redirected to it).
local function writes(inv, path)
  if not has(inv.text, path) then
    return false
  end
  return not READERS[inv.prog] or inv.text:find(">%s*" .. path:gsub("%p", "%%%0")) ~= nil
end

local function sets_setuid(inv)
  return any_arg(inv, function(a)
    local digits = a:match("^0*([0-7][0-7][0-7][0-7])$")
    if digits ~= nil then
      return tonumber(digits:sub(1, 1)) >= 4
    end
    if a:sub(1, 1) == "-" then
      return false
    end
    for clause in a:gmatch("[^,]+") do
      local who, perms = clause:match("^([ugoa]*)[%+=]([rwxXst]*)$")
      if who ~= nil and has(perms, "s") and (who == "" or who:find("[ua]") ~= nil) then
        return true
      end
    end
    return false
  end)
end

local function admin_group_in(list)
  for g in list:gmatch("[^,]+") do
    if ADMIN_GROUPS[g] then
      return true
    end
  end
  return false
end

-- grants_admin_group: usermod -aG sudo bob, usermod --groups=wheel bob,
-- gpasswd -a bob wheel, adduser bob sudo (Debian's form for an existing
-- user). The user's own name is never taken for a group.
local function grants_admin_group(inv)
  local p, args = inv.prog, inv.args
  if p == "usermod" then
    for i, a in ipairs(args) do
      local long = a:match("^%-%-groups=(.+)$")
      if long ~= nil and admin_group_in(long) then
        return true
      end
      if (a == "--groups" or a:find("^%-%a*G$")) and args[i + 1] ~= nil and admin_group_in(args[i + 1]) then
        return true
      end
    end
  elseif p == "gpasswd" then
    local adds = false
    for _, a in ipairs(args) do
      if a == "-a" or a == "--add" or a == "-M" or a == "--members" then
        adds = true
      end
    end
    return adds and #args > 0 and ADMIN_GROUPS[args[#args]] == true
  elseif p == "adduser" or p == "addgroup" then
    local plain = {}
    for _, a in ipairs(args) do
      if a:sub(1, 1) ~= "-" then
        plain[#plain + 1] = a
      end
    end
    return #plain == 2 and ADMIN_GROUPS[plain[2]] == true
  end
  return false
end

local function category_of(inv)
  local p, text = inv.prog, inv.text:lower()
  -- defences and audit trail
  if p == "auditctl" and (any_arg(inv, function(a) return a == "-D" end) or text:find("%-e%s+0")) then
    return "defense"
  end
  if (p == "systemctl" or p == "service") then
    local verb, unit = false, false
    for _, a in ipairs(inv.args) do
      local x = a:lower():gsub("%.service$", "")
      if x == "stop" or x == "disable" or x == "mask" or x == "kill" then
        verb = true
      elseif DEFENCE_UNITS[x] then
        unit = true
      end
    end
    if verb and unit then
      return "defense"
    end
  end
  if p == "setenforce" and any_arg(inv, function(a) return a == "0" or a:lower() == "permissive" end) then
    return "defense"
  end
  if p == "ufw" and any_arg(inv, function(a) return a == "disable" end) then
    return "defense"
  end
  if (p == "iptables" or p == "ip6tables") and any_arg(inv, function(a) return a == "-F" or a == "--flush" end) then
    return "defense"
  end
  if p == "nft" and has(text, "flush ruleset") then
    return "defense"
  end
  if p == "shred" or p == "truncate" or p == "rm" or p == "unlink" or has(inv.text, ">") then
    for _, log in ipairs(AUTH_LOGS) do
      if has(inv.text, log) and not READERS[p] then
        return "defense"
      end
    end
  end
  -- sudo rights
  if p == "visudo" then
    -- visudo -c only checks the syntax (configuration management runs it
    -- to validate a file before installing it).
    if not any_arg(inv, function(a) return a == "--check" or a:find("^%-%a*c") ~= nil end) then
      return "sudoers"
    end
  elseif writes(inv, "/etc/sudoers") then
    return "sudoers"
  end
  if grants_admin_group(inv) then
    return "sudoers"
  end
  -- setuid and capabilities
  if p == "chmod" and sets_setuid(inv) then
    return "setuid"
  end
  if p == "setcap" and not any_arg(inv, function(a) return a == "-r" end) then
    for _, cap in ipairs(ROOT_CAPS) do
      if has(text, cap) then
        return "setuid"
      end
    end
  end
  -- accounts
  if ACCOUNT_TOOLS[p] then
    return "account"
  end
  -- credentials
  if has(inv.text, "/etc/shadow") or has(inv.text, "/etc/gshadow") then
    return "credentials"
  end
  if writes(inv, "authorized_keys") then
    return "credentials"
  end
  -- interactive shells (sudo -i, sudo -s, sudo su -, sudo bash)
  if SHELLS[p] and not inv.shell_c and not any_arg(inv, function(a) return a:sub(1, 1) ~= "-" and p ~= "su" end) then
    return "shell"
  end
  return nil
end

-- Every category needs one of these in the command line: a program's name
-- (the program is a word of the line; "sh" covers every shell but su), a
-- path. systemctl and service count only with a stop verb. Most commands
-- sudo runs have none of them, and are not split and classified at all.
local NEEDLES = match.literals({ "auditctl", "setenforce", "ufw", "iptables", "ip6tables", "nft",
  "/var/log/", "visudo", "/etc/sudoers", "usermod", "gpasswd", "adduser", "addgroup", "chmod", "setcap",
  "useradd", "userdel", "deluser", "passwd", "newusers", "vipw", "/etc/shadow", "/etc/gshadow",
  "authorized_keys", "sh", "su" })
local SERVICE_TOOLS = match.literals({ "systemctl", "service" })
local STOP_VERBS = match.literals({ "stop", "disable", "mask", "kill" })

local function may_be_sensitive(command)
  if type(command) ~= "string" then
    return true -- classify decides (and raises what it raises)
  end
  return NEEDLES:test(command) or (SERVICE_TOOLS:test(command) and STOP_VERBS:test(command:lower()))
end

-- classify returns the most severe category of the command, or nil.
local function classify(command)
  if command == nil or command == "" then
    return nil
  end
  local found = {}
  for _, inv in ipairs(invocations(command, 0, {})) do
    local c = category_of(inv)
    if c ~= nil then
      found[c] = true
    end
  end
  for _, c in ipairs(ORDER) do
    if found[c] then
      return c
    end
  end
  return nil
end

function rule(event)
  if event:get("sudo", "result") ~= "allowed" then
    return false
  end
  local run_as = event:get("sudo", "run_as")
  if run_as ~= nil and run_as ~= "root" then
    return false
  end
  local command = event:get("sudo", "command")
  return may_be_sensitive(command) and classify(command) ~= nil
end

local function user(event)
  return event:get("sudo", "user") or "unknown user"
end

function title(event)
  local c = CATEGORIES[classify(event:get("sudo", "command"))]
  local cmd = event:get("sudo", "command") or "?"
  if #cmd > 80 then
    cmd = cmd:sub(1, 77) .. "..."
  end
  return string.format("%s by %s on %s: %s", c.title, user(event), syslog.host(event), cmd)
end

function dedup(event)
  return user(event) .. "@" .. syslog.host(event) .. ":" .. classify(event:get("sudo", "command"))
end

function severity(event)
  return CATEGORIES[classify(event:get("sudo", "command"))].severity
end

function alert_context(event)
  local ctx = syslog.sudo_context(event)
  local c = classify(event:get("sudo", "command"))
  ctx.category = c
  ctx.technique = CATEGORIES[c].technique
  return ctx
end
