-- Helpers shared by the Microsoft 365, Entra ID and Azure detections.
-- require("microsoft") returns this table.
--
-- Microsoft 365 audit records (Microsoft365.Audit.*): Operation, UserId,
-- ClientIP (Exchange writes "address:port"), Parameters [{Name, Value}]
-- for admin cmdlets, ModifiedProperties [{Name, NewValue, OldValue}].
-- Entra ID logs (Azure.Audit): category, operationName, properties
-- {userPrincipalName, ipAddress, initiatedBy, targetResources, ...}.
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- internal_domains: the mail domains of your tenant (lower case).
-- Forwarding or sharing to any other domain is external.
M.internal_domains = {["fernhill.example"] = true, ["fernhill.onmicrosoft.com"] = true}

-- known_apps: display names or app ids of the applications users may
-- consent to without an admin looking.
M.known_apps = {["Microsoft Teams"] = true, ["Zoom"] = true}

-- The Entra ID roles whose holders control the tenant.
M.privileged_roles = {
  ["global administrator"] = true, ["company administrator"] = true,
  ["privileged role administrator"] = true, ["privileged authentication administrator"] = true,
  ["security administrator"] = true, ["exchange administrator"] = true,
  ["sharepoint administrator"] = true, ["user administrator"] = true,
  ["application administrator"] = true, ["cloud application administrator"] = true,
  ["authentication administrator"] = true, ["helpdesk administrator"] = true,
  ["conditional access administrator"] = true, ["hybrid identity administrator"] = true,
  ["intune administrator"] = true, ["billing administrator"] = true,
}

---------------------------------------------------------------------------
-- Microsoft 365 audit records
---------------------------------------------------------------------------

-- param is the Value of a cmdlet parameter (Parameters[].Name), or nil.
function M.param(event, name)
  local params = event.Parameters
  if type(params) ~= "table" then
    return nil
  end
  for _, p in ipairs(params) do
    if p.Name == name then
      return p.Value
    end
  end
  return nil
end

-- modified is the NewValue of a ModifiedProperties entry, or nil.
function M.modified(event, name)
  local props = event.ModifiedProperties
  if type(props) ~= "table" then
    return nil
  end
  for _, p in ipairs(props) do
    if p.Name == name then
      return p.NewValue
    end
  end
  return nil
end

-- user is who acted in a Microsoft 365 record.
function M.user(event)
  return event.UserId or "unknown user"
end

-- ip is the client address without a port.
function M.ip(event)
  local ip = event.ClientIP or event.ActorIpAddress or event.ClientIPAddress
  if ip == nil or ip == "" then
    return nil
  end
  local v4 = string.match(ip, "^(%d+%.%d+%.%d+%.%d+):%d+$")
  if v4 then
    return v4
  end
  local v6 = string.match(ip, "^%[(.+)%]:%d+$")
  return v6 or ip
end

-- domain is the lower-case domain of an address ("smtp:a@b.example" ->
-- "b.example"), or nil.
function M.domain(address)
  if address == nil then
    return nil
  end
  local d = string.match(address, "@([^@>%s]+)>?$")
  if d == nil then
    return nil
  end
  return string.lower(d)
end

function M.is_external(address)
  local d = M.domain(address)
  return d ~= nil and not M.internal_domains[d]
end

function M.context(event)
  return {
    user = M.user(event),
    operation = event.Operation,
    workload = event.Workload,
    source_ip = M.ip(event),
    result = event.ResultStatus,
  }
end

---------------------------------------------------------------------------
-- Entra ID (Azure.Audit)
---------------------------------------------------------------------------

-- prop reads properties.<name...>.
function M.prop(event, ...)
  return event:get("properties", ...)
end

-- initiator is who acted in a directory audit record (a user's UPN, else
-- an app's name).
function M.initiator(event)
  return M.prop(event, "initiatedBy", "user", "userPrincipalName")
    or M.prop(event, "initiatedBy", "app", "displayName")
    or event.identity or "unknown"
end

-- target is the first target resource of the given type ("User",
-- "ServicePrincipal", "Role", ...), or nil.
function M.target(event, kind)
  local targets = M.prop(event, "targetResources")
  if type(targets) ~= "table" then
    return nil
  end
  for _, t in ipairs(targets) do
    if kind == nil or t.type == kind then
      return t
    end
  end
  return nil
end

-- target_modified is the new value of a modified property of any target,
-- JSON quotes removed.
function M.target_modified(event, name)
  local targets = M.prop(event, "targetResources")
  if type(targets) ~= "table" then
    return nil
  end
  for _, t in ipairs(targets) do
    if type(t.modifiedProperties) == "table" then
      for _, p in ipairs(t.modifiedProperties) do
        if p.displayName == name and p.newValue ~= nil then
          return (string.gsub(p.newValue, '^"(.*)"$', "%1"))
        end
      end
    end
  end
  return nil
end

function M.signin_user(event)
  return M.prop(event, "userPrincipalName") or event.identity or "unknown user"
end

function M.signin_ip(event)
  return M.prop(event, "ipAddress") or event.callerIpAddress
end

function M.azure_context(event)
  return {
    category = event.category,
    operation = event.operationName,
    user = M.prop(event, "userPrincipalName") or M.initiator(event),
    source_ip = M.signin_ip(event),
    app = M.prop(event, "appDisplayName"),
    tenant = event.tenantId,
  }
end

return M
