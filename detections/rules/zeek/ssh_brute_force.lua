local netmon = require("netmon")

-- Zeek sets auth_success to false when its heuristics saw the client fail
-- to authenticate; connections that never tried (banner grabs, scanners)
-- leave it unset and do not count.
function rule(event)
  return event.auth_success == false
    and not netmon.in_list(event["id.orig_h"], netmon.authorized_scanners)
end

function title(event)
  return string.format("SSH password guessing from %s %s (first target %s)",
    netmon.where(event["id.orig_h"]), event["id.orig_h"] or "?", event["id.resp_h"] or "?")
end

-- One guesser, whichever servers it tries: a spray across hosts is the
-- same attack as guessing against one.
function dedup(event)
  return event["id.orig_h"] or "?"
end

-- Guessing from inside the network is a compromised host moving
-- laterally; the internet's background guessing is Medium.
function severity(event)
  if not netmon.is_public(event["id.orig_h"]) then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    source_where = netmon.where(event["id.orig_h"]),
    first_target = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    auth_attempts = event.auth_attempts,
    client = event.client,
    server = event.server,
    hassh = event.hassh,
    country = event["remote_location.country_code"],
  }
end
