local netmon = require("netmon")

-- Every alert counts but Suricata's own protocol decoder events, which a
-- broken client or a lossy sensor produces by the hundred.
function rule(event)
  return event.src_ip ~= nil
    and netmon.suricata_family(event:get("alert", "signature")) ~= "SURICATA"
    and not netmon.in_list(event.src_ip, netmon.authorized_scanners)
end

function title(event)
  return string.format("Many IDS alerts from %s %s (first: %s)",
    netmon.where(event.src_ip), event.src_ip, event:get("alert", "signature") or "?")
end

function dedup(event)
  return event.src_ip
end

-- An internal host setting off signature after signature is compromised
-- or running an unsanctioned scanner.
function severity(event)
  if not netmon.is_public(event.src_ip) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event.src_ip,
    source_where = netmon.where(event.src_ip),
    first_signature = event:get("alert", "signature"),
    first_category = event:get("alert", "category"),
    first_destination = netmon.endpoint(event.dest_ip, event.dest_port),
  }
end
