local netmon = require("netmon")

-- Operations that register or run a task on a remote host: the Task
-- Scheduler service (MS-TSCH ITaskSchedulerService), the legacy AT service
-- (atsvc) and the Task Scheduler 1.0 interface (SASec).
local OPS = {
  ITaskSchedulerService = { SchRpcRegisterTask = "registered", SchRpcRun = "run" },
  atsvc = { NetrJobAdd = "registered" },
  SASec = { SASetAccountInformation = "registered" },
}

local function verb(event)
  local ops = OPS[event.endpoint]
  return ops and ops[event.operation]
end

function rule(event)
  return verb(event) ~= nil and not netmon.in_list(event["id.orig_h"], netmon.admin_hosts)
end

function title(event)
  return string.format("Scheduled task %s remotely on %s by %s (%s %s)",
    verb(event), event["id.resp_h"] or "?", event["id.orig_h"] or "?", event.endpoint, event.operation)
end

-- Register and run of one task on one host arrive together: one alert.
function dedup(event)
  return (event["id.orig_h"] or "?") .. "->" .. (event["id.resp_h"] or "?")
end

function alert_context(event)
  return {
    source_ip = event["id.orig_h"],
    target = event["id.resp_h"],
    interface = event.endpoint,
    operation = event.operation,
    named_pipe = event.named_pipe,
    uid = event.uid,
  }
end
