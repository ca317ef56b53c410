local k8s = require("k8s")

local WORKLOADS = {pods = true, deployments = true, daemonsets = true, statefulsets = true, jobs = true, cronjobs = true, replicasets = true}
local DANGEROUS_PATHS = {["/"] = true, ["/var/run/docker.sock"] = true, ["/run/containerd/containerd.sock"] = true,
  ["/var/run/containerd/containerd.sock"] = true, ["/etc"] = true, ["/root"] = true, ["/var/lib/kubelet"] = true}

-- spec is the pod spec of a pod or of a workload's template.
local function spec(event)
  local obj = event.requestObject
  if type(obj) ~= "table" then
    return nil
  end
  if obj.kind == "Pod" then
    return obj.spec
  end
  return obj:get("spec", "template", "spec") or obj:get("spec", "jobTemplate", "spec", "template", "spec")
end

local function findings(event)
  local s = spec(event)
  if type(s) ~= "table" then
    return {}
  end
  local out = {}
  if type(s.containers) == "table" then
    for _, c in ipairs(s.containers) do
      if c:get("securityContext", "privileged") == true then
        out[#out + 1] = "privileged container"
        break
      end
    end
  end
  for _, k in ipairs({"hostPID", "hostNetwork", "hostIPC"}) do
    if s[k] == true then
      out[#out + 1] = k
    end
  end
  if type(s.volumes) == "table" then
    for _, v in ipairs(s.volumes) do
      local p = v:get("hostPath", "path")
      if p ~= nil and DANGEROUS_PATHS[p] then
        out[#out + 1] = "hostPath " .. p
      end
    end
  end
  return out
end

local function images(event)
  local s = spec(event)
  local out = {}
  if type(s) == "table" and type(s.containers) == "table" then
    for _, c in ipairs(s.containers) do
      out[#out + 1] = c.image
    end
  end
  return out
end

function rule(event)
  if (event.verb ~= "create" and event.verb ~= "update" and event.verb ~= "patch") or not WORKLOADS[k8s.resource(event)] then
    return false
  end
  return k8s.allowed(event) and #findings(event) > 0
end

function title(event)
  local kind = (event.requestObject and event.requestObject.kind) or "Pod"
  return string.format("%s %s created by %s with %s", kind, k8s.object(event), k8s.user(event), table.concat(findings(event), ", "))
end

function dedup(event)
  return k8s.object(event)
end

function alert_context(event)
  local ctx = k8s.context(event)
  ctx.findings = findings(event)
  ctx.images = images(event)
  return ctx
end
