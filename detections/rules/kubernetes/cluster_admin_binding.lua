local k8s = require("k8s")

local BINDINGS = {clusterrolebindings = true, rolebindings = true}

local function subjects(event)
  local subs = event:get("requestObject", "subjects")
  local out = {}
  if type(subs) == "table" then
    for _, s in ipairs(subs) do
      local name = s.name or "?"
      if s.namespace ~= nil then
        name = s.namespace .. "/" .. name
      end
      out[#out + 1] = (s.kind or "Subject") .. " " .. name
    end
  end
  return out
end

function rule(event)
  if not BINDINGS[k8s.resource(event)] or (event.verb ~= "create" and event.verb ~= "update" and event.verb ~= "patch") then
    return false
  end
  return k8s.allowed(event) and event:get("requestObject", "roleRef", "name") == "cluster-admin"
end

function title(event)
  return string.format("%s bound %s to cluster-admin (%s)", k8s.user(event), table.concat(subjects(event), ", "), k8s.object(event))
end

function dedup(event)
  return k8s.object(event)
end

function alert_context(event)
  local ctx = k8s.context(event)
  ctx.subjects = subjects(event)
  return ctx
end
