local netmon = require("netmon")

-- The notices of Zeek's shipped scripts (and common packages) that report
-- an attack, with their severity and what they mean. Notices of other
-- kinds (certificate validation: Zeek.SSL.InvalidCertificateExternal;
-- weird activity; capture loss) are not raised here.
local NOTES = {
  ["Scan::Port_Scan"] = { "Medium", "port scan" },
  ["Scan::Address_Scan"] = { "Medium", "address sweep" },
  ["SSH::Password_Guessing"] = { "Medium", "SSH password guessing" },
  ["SSH::Login_By_Password_Guesser"] = { "High", "SSH login by a password guesser" },
  ["FTP::Bruteforcing"] = { "Medium", "FTP password guessing" },
  ["FTP::Site_Exec_Success"] = { "High", "FTP SITE EXEC succeeded" },
  ["HTTP::SQL_Injection_Attacker"] = { "Medium", "SQL injection attacker" },
  ["HTTP::SQL_Injection_Victim"] = { "Medium", "SQL injection target" },
  ["Heartbleed::SSL_Heartbeat_Attack"] = { "Medium", "Heartbleed attempt" },
  ["Heartbleed::SSL_Heartbeat_Attack_Success"] = { "Critical", "Heartbleed attack succeeded" },
  ["Heartbleed::SSL_Heartbeat_Odd_Length"] = { "Medium", "Heartbleed probe" },
  ["Heartbleed::SSL_Heartbeat_Many_Requests"] = { "Medium", "Heartbleed probe" },
  ["TeamCymruMalwareHashRegistry::Match"] = { "High", "known malware file" },
  ["Intel::Notice"] = { "High", "threat intelligence match" },
  ["Signatures::Sensitive_Signature"] = { "Medium", "signature match" },
  ["Traceroute::Detected"] = { "Low", "traceroute" },
  ["Software::Vulnerable_Version"] = { "Low", "vulnerable software version" },
}

function rule(event)
  return NOTES[event.note] ~= nil
end

local function source(event)
  return event.src or event["id.orig_h"] or "?"
end

function title(event)
  local msg = event.msg or ""
  if #msg > 160 then
    msg = string.sub(msg, 1, 157) .. "..."
  end
  return string.format("Zeek %s (%s) by %s: %s", NOTES[event.note][2], event.note, source(event), msg)
end

function dedup(event)
  return event.note .. ":" .. source(event)
end

function severity(event)
  return NOTES[event.note][1]
end

function alert_context(event)
  return {
    note = event.note,
    msg = event.msg,
    sub = event.sub,
    source_ip = source(event),
    source_where = netmon.where(source(event)),
    destination_ip = event.dst or event["id.resp_h"],
    port = event.p or event["id.resp_p"],
    count = event.n,
    uid = event.uid,
    file_desc = event.file_desc,
  }
end
