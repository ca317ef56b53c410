local netmon = require("netmon")

local function mib(bytes)
  return math.floor(bytes / (1024 * 1024) + 0.5)
end

-- orig_bytes counts what the originator sent (payload, not headers).
function rule(event)
  local sent = event.orig_bytes
  local src, dst = event["id.orig_h"], event["id.resp_h"]
  return type(sent) == "number" and sent >= netmon.large_transfer_bytes
    and not netmon.is_public(src) and netmon.is_public(dst)
    and not netmon.in_list(dst, netmon.bulk_transfer_destinations)
end

function title(event)
  return string.format("%s sent %d MiB to internet host %s",
    event["id.orig_h"], mib(event.orig_bytes), netmon.endpoint(event["id.resp_h"], event["id.resp_p"]))
end

function dedup(event)
  return event["id.orig_h"] .. "->" .. event["id.resp_h"]
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    destination = netmon.endpoint(event["id.resp_h"], event["id.resp_p"]),
    proto = event.proto,
    service = event.service,
    sent_bytes = event.orig_bytes,
    received_bytes = event.resp_bytes,
    duration_seconds = event.duration,
    conn_state = event.conn_state,
    country = event.resp_cc,
    uid = event.uid,
  }
end
