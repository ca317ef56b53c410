local netmon = require("netmon")

-- Service Control Manager (MS-SCMR) operations that install a service or
-- point an existing one at a new binary.
local OPS = {
  CreateServiceW = true, CreateServiceA = true,
  CreateServiceWOW64W = true, CreateServiceWOW64A = true, CreateWowService = true,
  ChangeServiceConfigW = true, ChangeServiceConfigA = true,
}

function rule(event)
  return event.endpoint == "svcctl" and OPS[event.operation] == true
    and not netmon.in_list(event["id.orig_h"], netmon.admin_hosts)
end

local function verb(event)
  if string.find(event.operation, "^Change") then
    return "reconfigured"
  end
  return "created"
end

function title(event)
  return string.format("Service %s remotely on %s by %s (svcctl %s)",
    verb(event), event["id.resp_h"] or "?", event["id.orig_h"] or "?", event.operation)
end

function dedup(event)
  return event["id.orig_h"] or "?"
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    first_target = event["id.resp_h"],
    operation = event.operation,
    named_pipe = event.named_pipe,
    uid = event.uid,
  }
end
