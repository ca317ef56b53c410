local netmon = require("netmon")

local function source(event)
  return event:get("srcids", "instance") or event.srcaddr or "unknown"
end

local function name(event)
  return netmon.normalise_name(event.query_name) or "?"
end

function rule(event)
  return event.firewall_rule_action == "BLOCK" or event.firewall_rule_action == "ALERT"
end

function title(event)
  return string.format("DNS Firewall %s of %s for %s", event.firewall_rule_action, name(event), source(event))
end

function dedup(event)
  return source(event) .. ":" .. name(event)
end

function alert_context(event)
  return {
    query = event.query_name,
    action = event.firewall_rule_action,
    domain_list = event.firewall_domain_list_id,
    source_ip = event.srcaddr,
    instance = event:get("srcids", "instance"),
    account = event.account_id,
  }
end
