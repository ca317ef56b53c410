-- 502: the target closed or sent a bad response; 503: no healthy target;
-- 504: the target timed out. All are the load balancer's own answer.
local GATEWAY_ERRORS = { [502] = true, [503] = true, [504] = true }

function rule(event)
  return GATEWAY_ERRORS[event.elbStatusCode or 0] == true
end

local function group(event)
  local tg = event.targetGroupArn or ""
  return tg:match("targetgroup/([^/]+)") or "no target group"
end

function title(event)
  return string.format("Load balancer %s returning gateway errors (%s)",
    (event.elb or "?"):match("^app/([^/]+)") or event.elb or "?", group(event))
end

function dedup(event)
  return (event.elb or "?") .. ":" .. group(event)
end

function alert_context(event)
  return {
    load_balancer = event.elb,
    target_group = event.targetGroupArn,
    first_status = event.elbStatusCode,
    first_target = event.targetIp,
    first_url = event.requestUrl,
    error_reason = event.errorReason,
    target_processing_time = event.targetProcessingTime,
  }
end
