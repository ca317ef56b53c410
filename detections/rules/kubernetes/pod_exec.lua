local k8s = require("k8s")

local function command(event)
  local cmds = {}
  for c in string.gmatch(event.requestURI or "", "[?&]command=([^&]*)") do
    cmds[#cmds + 1] = c
  end
  return table.concat(cmds, " ")
end

function rule(event)
  local sub = event:get("objectRef", "subresource")
  return event.verb == "create" and k8s.resource(event) == "pods" and (sub == "exec" or sub == "attach")
    and k8s.allowed(event) and not k8s.is_system(event)
end

function title(event)
  return string.format("%s ran a command in pod %s", k8s.user(event), k8s.object(event))
end

function dedup(event)
  return k8s.user(event) .. ":" .. k8s.object(event)
end

function alert_context(event)
  local ctx = k8s.context(event)
  ctx.command = command(event)
  return ctx
end
