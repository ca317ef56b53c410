-- Helpers shared by the network-monitor detections (Zeek and Suricata).
-- require("netmon") returns this table.
--
-- The tables in "Known good" and "Watch lists" are data: they are the place
-- to describe your network to the shipped Zeek and Suricata detections.
-- Edit them in your fork of the detections, or mock them in a test
-- (Mocks: [{objectName: netmon.authorized_scanners, returnValue: [...]}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- authorized_scanners: CIDRs of the vulnerability scanners and pentest
-- boxes you run (Nessus, Qualys, OpenVAS appliances). Scanner, exploit-probe
-- and brute-force rules skip them.
M.authorized_scanners = {}

-- admin_hosts: CIDRs of jump hosts and management servers (SCCM, PsExec
-- from the IT bastion, backup servers) that legitimately map admin shares,
-- create remote services and tasks, and sign in as Administrator over NTLM.
M.admin_hosts = {}

-- rdp_gateways: CIDRs of Remote Desktop Gateways and bastions that open many
-- RDP sessions on behalf of their users.
M.rdp_gateways = {}

-- dns_transfer_peers: CIDRs of your secondary DNS servers, allowed to ask
-- for zone transfers (AXFR/IXFR).
M.dns_transfer_peers = {}

-- bulk_transfer_destinations: CIDRs that may receive large uploads (your
-- other sites, backup and replication targets).
M.bulk_transfer_destinations = {}

-- large_transfer_bytes: bytes sent by the originator of one connection
-- above which an outbound transfer to the internet is raised.
M.large_transfer_bytes = 1024 * 1024 * 1024

-- dns_encoded_name_allowed: domain suffixes of services that encode data in
-- DNS names on purpose (anti-virus and reputation lookups, Microsoft's
-- network measurement, Zeek's own malware hash lookups). The DNS tunneling
-- rule skips them.
M.dns_encoded_name_allowed = {
  "footprintdns.com",      -- Microsoft Office client network measurement
  "hash.cymru.com",        -- Team Cymru malware hash registry (Zeek's MHR script)
  "malware.hash.cymru.net",
  "sophosxl.net",          -- Sophos live protection
  "avts.mcafee.com",       -- McAfee GTI file reputation
  "avqs.mcafee.com",
  "e5.sk",                 -- ESET LiveGrid
}

---------------------------------------------------------------------------
-- Watch lists (customise here)
---------------------------------------------------------------------------

-- Domain suffixes resolved or contacted that deserve a look, by category.
-- A suffix matches the name itself and every name under it.
M.watchlist = {
  -- Free dynamic DNS: a changing home or VPS address behind a stable name,
  -- the usual rendezvous of commodity RATs and phishing kits.
  ["dynamic DNS"] = {
    "duckdns.org", "no-ip.com", "no-ip.org", "no-ip.biz", "noip.me", "ddns.net",
    "hopto.org", "zapto.org", "sytes.net", "myftp.biz", "myftp.org", "serveftp.com",
    "servebeer.com", "bounceme.net", "redirectme.net", "dyndns.org", "dyndns.info",
    "dynu.net", "dynu.com", "freedns.afraid.org", "mooo.com", "changeip.com",
    "3utilities.com", "linkpc.net", "publicvm.com", "ydns.eu",
  },
  -- Reverse tunnels that expose an internal service to the internet or
  -- carry C2 through a trusted CDN.
  ["tunnel service"] = {
    "ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok-free.dev", "trycloudflare.com",
    "serveo.net", "localhost.run", "lhr.life", "pagekite.me", "portmap.io",
    "loca.lt", "localtunnel.me", "bore.pub", "telebit.cloud",
  },
  -- TLDs that should not be resolved in a corporate network (.onion leaks
  -- Tor use) or that abuse reports rank among the worst.
  ["abused TLD"] = {
    "onion", "bit", "tk", "ml", "ga", "cf", "gq", "su", "pw",
  },
}

-- Severity of a watch-list hit per category.
M.watchlist_severity = {
  ["dynamic DNS"] = "Medium",
  ["tunnel service"] = "Medium",
  ["abused TLD"] = "Low",
}

-- scanner_agents: offensive scanners and attack tools, as Go regular
-- expressions (case-insensitive) over a user agent or software banner,
-- with the tool's name.
M.scanner_agents = {
  { name = "Nmap", pattern = [[nmap]] },
  { name = "Nessus", pattern = [[nessus]] },
  { name = "OpenVAS", pattern = [[openvas|greenbone]] },
  { name = "Nikto", pattern = [[nikto]] },
  { name = "sqlmap", pattern = [[sqlmap]] },
  { name = "masscan", pattern = [[masscan]] },
  { name = "ZGrab", pattern = [[zgrab]] },
  { name = "Hydra", pattern = [[hydra]] },
  { name = "Metasploit", pattern = [[metasploit|meterpreter]] },
  { name = "WPScan", pattern = [[wpscan]] },
  { name = "Nuclei", pattern = [[nuclei]] },
  { name = "Acunetix", pattern = [[acunetix]] },
  { name = "gobuster", pattern = [[gobuster]] },
  { name = "DirBuster", pattern = [[dirbuster]] },
  { name = "feroxbuster", pattern = [[feroxbuster]] },
  { name = "ffuf", pattern = [[fuzz faster u fool|\bffuf\b]] },
  { name = "w3af", pattern = [[w3af]] },
  { name = "Arachni", pattern = [[arachni]] },
}

-- script_agents: command-line and scripting HTTP clients, which people
-- rarely use to fetch files from a bare IP address but droppers do.
M.script_agents = {
  { name = "curl", pattern = [[^curl/]] },
  { name = "Wget", pattern = [[^wget/]] },
  { name = "PowerShell", pattern = [[powershell]] },
  { name = "CertUtil", pattern = [[certutil]] },
  { name = "BITS", pattern = [[^microsoft bits/]] },
  { name = "Python", pattern = [[python-urllib|python-requests|python/\d|aiohttp]] },
  { name = "Go", pattern = [[^go-http-client/]] },
  { name = "Java", pattern = [[^java/]] },
  { name = "libwww-perl", pattern = [[libwww-perl]] },
}

-- privileged_accounts: account names (lower case, without domain) whose
-- NTLM use over the network is raised. Add your domain admins here.
M.privileged_accounts = { administrator = true, admin = true }

---------------------------------------------------------------------------
-- Addresses
---------------------------------------------------------------------------

local MULTICAST = { "224.0.0.0/4", "ff00::/8", "255.255.255.255/32", "240.0.0.0/4" }

-- is_public is true for an address on the internet: an IP that is not in
-- the internal networks setting (internal_networks: by default the
-- private, loopback, link-local, CGNAT and unspecified ranges; a lab can
-- say 10.0.0.0/8 is its own and 192.168.0.0/24 is not), nor multicast,
-- broadcast or reserved.
function M.is_public(ip)
  if type(ip) ~= "string" or not net.is_ip(ip) then
    return false
  end
  return not net.is_internal(ip) and not net.in_cidr(ip, MULTICAST)
end

-- in_list is true when ip falls in one of the CIDRs of list.
function M.in_list(ip, list)
  if type(ip) ~= "string" or list == nil or next(list) == nil then
    return false
  end
  return net.in_cidr(ip, list)
end

-- where describes an address for a title: "internet host" or "internal host".
function M.where(ip)
  if M.is_public(ip) then
    return "internet host"
  end
  return "internal host"
end

---------------------------------------------------------------------------
-- Names
---------------------------------------------------------------------------

-- normalise_name lower-cases a DNS name and drops a trailing dot.
function M.normalise_name(name)
  if type(name) ~= "string" then
    return nil
  end
  name = string.lower(name)
  if string.sub(name, -1) == "." then
    name = string.sub(name, 1, -2)
  end
  return name
end

-- has_suffix is true when name is suffix or a name under it.
function M.has_suffix(name, suffix)
  if name == suffix then
    return true
  end
  local n, s = #name, #suffix
  return n > s and string.sub(name, n - s + 1) == suffix and string.sub(name, n - s, n - s) == "."
end

-- suffix_in returns the first suffix of list that name falls under, or nil.
function M.suffix_in(name, list)
  name = M.normalise_name(name)
  if name == nil or list == nil then
    return nil
  end
  for _, s in ipairs(list) do
    if M.has_suffix(name, s) then
      return s
    end
  end
  return nil
end

-- The watch list as a map from suffix to category, rebuilt when
-- M.watchlist is replaced (a test's mock): lookups then cost one probe per
-- label of the name instead of one comparison per list entry.
local CATEGORIES = { "tunnel service", "dynamic DNS", "abused TLD" }
local index_of, index, suffixes = nil, nil, nil

local function watch_index()
  if index_of ~= M.watchlist then
    local idx, list = {}, {}
    -- Fixed order: a suffix listed twice keeps its first category.
    for _, category in ipairs(CATEGORIES) do
      for _, suffix in ipairs(M.watchlist[category] or {}) do
        if idx[suffix] == nil then
          idx[suffix] = category
          list[#list + 1] = suffix
        end
      end
    end
    index = idx
    -- match.set finds the longest listed suffix of a name in Go.
    suffixes = match.set(list, { suffix = true })
    index_of = M.watchlist
  end
  return index
end

-- watchlist_match returns the category and the matching suffix of a DNS
-- name on the watch list (the longest matching suffix), or nil.
function M.watchlist_match(name)
  name = M.normalise_name(name)
  if name == nil or name == "" then
    return nil
  end
  local idx = watch_index()
  local s = suffixes:has(name)
  if s == nil then
    return nil
  end
  return idx[s], s
end

-- Second-level labels under which registries sell names (example.co.uk).
local PUBLIC_SECOND = { co = true, com = true, net = true, org = true, gov = true, ac = true, edu = true }

-- registered_domain is the name a party registered: the last two labels,
-- or three under a country's second level (example.co.uk). Good enough to
-- group queries; not a public-suffix list.
function M.registered_domain(name)
  name = M.normalise_name(name)
  if name == nil then
    return nil
  end
  local labels = {}
  for l in string.gmatch(name, "[^.]+") do
    labels[#labels + 1] = l
  end
  local n = #labels
  if n <= 2 then
    return name
  end
  if #labels[n] == 2 and PUBLIC_SECOND[labels[n - 1]] then
    return labels[n - 2] .. "." .. labels[n - 1] .. "." .. labels[n]
  end
  return labels[n - 1] .. "." .. labels[n]
end

-- entropy is the Shannon entropy of s in bits per character.
function M.entropy(s)
  local n = #s
  if n == 0 then
    return 0
  end
  local counts = {}
  for i = 1, n do
    local c = string.byte(s, i)
    counts[c] = (counts[c] or 0) + 1
  end
  local h = 0
  for _, k in pairs(counts) do
    local p = k / n
    h = h - p * math.log(p) / math.log(2)
  end
  return h
end

-- longest_label returns the longest label of a DNS name.
function M.longest_label(name)
  local best = ""
  for l in string.gmatch(name or "", "[^.]+") do
    if #l > #best then
      best = l
    end
  end
  return best
end

-- encoded_label returns the label of name that looks like encoded data
-- (hex, base32, base64: 30 characters or more, at most one dash, 3.3 bits
-- of entropy per character or more), or nil. Host names made of words
-- (load balancer names full of dashes) and short labels never match.
function M.encoded_label(name)
  if type(name) ~= "string" or #name < 30 then
    return nil
  end
  local l = M.longest_label(name)
  if #l < 30 then
    return nil
  end
  local _, dashes = string.gsub(l, "%-", "")
  if dashes > 1 then
    return nil
  end
  if M.entropy(l) < 3.3 then
    return nil
  end
  return l
end

---------------------------------------------------------------------------
-- Agents
---------------------------------------------------------------------------

-- Each list of agents compiled into one matcher (match.patterns), kept
-- while the list is the same table (a test's mock replaces it).
local agent_sets = {}

local function agent_set(list)
  for _, e in ipairs(agent_sets) do
    if e[1] == list then
      return e[2]
    end
  end
  local entries = {}
  for i, a in ipairs(list) do
    entries[i] = { a.name, "(?i)" .. a.pattern }
  end
  if #agent_sets >= 8 then
    agent_sets = {}
  end
  local set = match.patterns(entries)
  agent_sets[#agent_sets + 1] = { list, set }
  return set
end

local function agent_in(list, s)
  if type(s) ~= "string" or s == "" then
    return nil
  end
  return (agent_set(list):first(s))
end

-- scanner_tool names the offensive tool a user agent or banner belongs
-- to, or nil.
function M.scanner_tool(s)
  return agent_in(M.scanner_agents, s)
end

-- script_client names the scripting HTTP client of a user agent, or nil.
function M.script_client(s)
  return agent_in(M.script_agents, s)
end

-- is_privileged_account is true for an account of privileged_accounts,
-- written with or without a domain ("CORP\Administrator", "admin@corp").
function M.is_privileged_account(name)
  if type(name) ~= "string" or name == "" then
    return false
  end
  name = string.lower(name)
  name = string.match(name, "\\([^\\]*)$") or name
  name = string.match(name, "^([^@]*)@") or name
  return M.privileged_accounts[name] == true
end

---------------------------------------------------------------------------
-- Suricata signatures (customise here)
---------------------------------------------------------------------------

-- Families (the word after "ET", "ETPRO" or "GPL" in a signature's name)
-- and categories (the classtype's description) that mean a host runs
-- malware or has been taken over.
M.malware_families = {
  TROJAN = true, MALWARE = true, CNC = true, WORM = true, MOBILE_MALWARE = true,
  ATTACK_RESPONSE = true, EXPLOIT_KIT = true, COINMINER = true,
}
M.malware_categories = {
  ["Malware Command and Control Activity Detected"] = true,
  ["Domain Observed Used for C2 Detected"] = true,
  ["Exploit Kit Activity Detected"] = true,
  ["Successful Administrator Privilege Gain"] = true,
  ["Successful User Privilege Gain"] = true,
  ["Targeted Malicious Activity was Detected"] = true,
  ["Crypto Currency Mining Activity Detected"] = true,
}
-- Families of inbound attacks: their signatures are filed under "A Network
-- Trojan was detected" too, but they are attacks, not implants.
M.attack_families = {
  WEB_SERVER = true, WEB_SPECIFIC_APPS = true, WEB_CLIENT = true, SCAN = true,
  EXPLOIT = true, NETBIOS = true, SQL = true, DOS = true, VOIP = true, SNMP = true,
  TELNET = true, FTP = true, RPC = true, IMAP = true, POP3 = true, SMTP = true,
}
-- Families and categories of policy and housekeeping signatures: software
-- in use, protocol oddities, reputation lists. Not raised as attacks.
M.noise_families = {
  POLICY = true, INFO = true, CHAT = true, GAMES = true, P2P = true, HUNTING = true,
  INAPPROPRIATE = true, DELETED = true,
}
M.noise_categories = {
  ["Potential Corporate Privacy Violation"] = true,
  ["Not Suspicious Traffic"] = true,
  ["Unknown Traffic"] = true,
  ["Misc activity"] = true,
  ["Generic Protocol Command Decode"] = true,
}

-- suricata_family is the family of a signature name ("ET TROJAN Foo" ->
-- "TROJAN"), "SURICATA" for Suricata's own protocol decoder events, or nil.
function M.suricata_family(signature)
  if type(signature) ~= "string" then
    return nil
  end
  if string.find(signature, "^SURICATA ") then
    return "SURICATA"
  end
  return string.match(signature, "^ETPRO ([%u_]+)") or string.match(signature, "^ET ([%u_]+)")
    or string.match(signature, "^GPL ([%u_]+)")
end

-- suricata_malware is true when an alert reports an implant, C2, a
-- successful compromise or an exploit kit (see the tables above).
function M.suricata_malware(event)
  local family = M.suricata_family(event:get("alert", "signature"))
  local category = event:get("alert", "category")
  if family ~= nil and M.malware_families[family] then
    return true
  end
  if category ~= nil and M.malware_categories[category] then
    return true
  end
  return category == "A Network Trojan was detected" and family ~= "SURICATA"
    and not (family ~= nil and M.attack_families[family])
end

-- suricata_noise is true for policy, informational and decoder alerts.
function M.suricata_noise(event)
  local family = M.suricata_family(event:get("alert", "signature"))
  if family == "SURICATA" or (family ~= nil and M.noise_families[family]) then
    return true
  end
  return M.noise_categories[event:get("alert", "category") or ""] == true
end

---------------------------------------------------------------------------
-- Zeek
---------------------------------------------------------------------------

-- conn returns the four conn_id fields of a Zeek event: originator address
-- and port, responder address and port.
function M.conn(event)
  return event["id.orig_h"], event["id.orig_p"], event["id.resp_h"], event["id.resp_p"]
end

-- endpoint writes "addr:port" (or just addr).
function M.endpoint(addr, port)
  if addr == nil then
    return "?"
  end
  if port == nil then
    return addr
  end
  if string.find(addr, ":", 1, true) then
    return "[" .. addr .. "]:" .. tostring(port)
  end
  return addr .. ":" .. tostring(port)
end

return M
