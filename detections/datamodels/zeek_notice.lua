-- A notice names its parties in src/dst/p; notices raised on a connection
-- also carry its conn_id. The explicit fields win.
function source_ip(event)
  return event.src or event["id.orig_h"]
end

function destination_ip(event)
  return event.dst or event["id.resp_h"]
end

function destination_port(event)
  return event.p or event["id.resp_p"]
end
