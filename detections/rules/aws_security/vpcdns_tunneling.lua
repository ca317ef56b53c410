local netmon = require("netmon")

local function source(event)
  return event:get("srcids", "instance") or event.srcaddr or "unknown"
end

function rule(event)
  return netmon.encoded_label(event.query_name) ~= nil
end

function title(event)
  return string.format("Encoded DNS query to %s from %s", netmon.registered_domain(event.query_name) or "?", source(event))
end

function dedup(event)
  return source(event) .. ":" .. (netmon.registered_domain(event.query_name) or "?")
end

function alert_context(event)
  return {
    query = event.query_name,
    query_type = event.query_type,
    label = netmon.encoded_label(event.query_name),
    source_ip = event.srcaddr,
    instance = event:get("srcids", "instance"),
    vpc = event.vpc_id,
    account = event.account_id,
  }
end
