-- Helpers shared by the Kubernetes audit detections. require("k8s")
-- returns this table.
--
-- Event shape (audit.k8s.io/v1 Event): verb, user {username, groups},
-- sourceIPs, userAgent, objectRef {resource, subresource, namespace,
-- name}, responseStatus {code}, requestObject (at level Request).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- secret_readers: usernames (or prefixes ending in "*") that read
-- secrets as part of their job: operators, CI deployers, backup tools.
M.secret_readers = {
  "system:serviceaccount:kube-system:*", "system:serviceaccount:cert-manager:*",
  "system:serviceaccount:external-secrets:*", "system:serviceaccount:argocd:*",
}

---------------------------------------------------------------------------

function M.user(event)
  return event:get("user", "username") or "unknown"
end

-- is_system tells the cluster's own components: the control plane
-- (system:kube-*, system:node:*, system:apiserver) and kube-system
-- service accounts.
function M.is_system(event)
  local u = M.user(event)
  return string.sub(u, 1, 12) == "system:kube-" or string.sub(u, 1, 12) == "system:node:"
    or u == "system:apiserver" or string.sub(u, 1, 35) == "system:serviceaccount:kube-system:"
    or string.sub(u, 1, 4) == "eks:"
end

-- matches tells a username listed in a table of names and "prefix*".
function M.matches(list, u)
  for _, pat in ipairs(list) do
    if string.sub(pat, -1) == "*" then
      if string.sub(u, 1, #pat - 1) == string.sub(pat, 1, -2) then
        return true
      end
    elseif u == pat then
      return true
    end
  end
  return false
end

function M.allowed(event)
  local code = tonumber(event:get("responseStatus", "code"))
  return code ~= nil and code < 400
end

function M.resource(event)
  return event:get("objectRef", "resource") or ""
end

function M.object(event)
  local ns = event:get("objectRef", "namespace")
  local name = event:get("objectRef", "name") or "*"
  if ns ~= nil then
    return ns .. "/" .. name
  end
  return name
end

function M.source_ip(event)
  return event:get("sourceIPs", 1)
end

function M.context(event)
  return {
    user = M.user(event),
    verb = event.verb,
    resource = M.resource(event),
    object = M.object(event),
    source_ip = M.source_ip(event),
    user_agent = event.userAgent,
    decision = event:get("annotations", "authorization.k8s.io/decision"),
  }
end

return M
