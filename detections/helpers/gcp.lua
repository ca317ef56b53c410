-- Helpers shared by the Google Cloud audit log detections.
-- require("gcp") returns this table.
--
-- Event shape (LogEntry with an AuditLog protoPayload):
-- protoPayload.{serviceName, methodName, resourceName, status.code,
-- authenticationInfo.principalEmail, requestMetadata.callerIp,
-- requestMetadata.callerSuppliedUserAgent, request, response, metadata,
-- serviceData}, resource.{type, labels.project_id}, logName.
-- Exports of Panther's lake spell callerIp "callerIP": both are read.
--
-- The tables in "Known good" are data: edit them in your fork of the
-- detections, or mock them in a test
-- (Mocks: [{objectName: gcp.org_domains, returnValue: {...}}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- org_domains: your Cloud Identity / Workspace domains. IAM members outside
-- them are external. While empty, only consumer Google accounts
-- (CONSUMER_DOMAINS below) count as external. Keys are lower-case domains.
M.org_domains = {}

-- key_creators_allowed: principals that create service account keys by
-- design (a key-rotation service account). Keys are principal emails.
M.key_creators_allowed = {}

-- public_roles_expected: roles that are granted to allUsers on purpose,
-- such as invoking a public Cloud Run service or Cloud Function.
M.public_roles_expected = {
  ["roles/run.invoker"] = true,
  ["roles/cloudfunctions.invoker"] = true,
}

---------------------------------------------------------------------------
-- Reference data (Google facts)
---------------------------------------------------------------------------

-- Domains of consumer Google accounts: never part of an organisation.
M.CONSUMER_DOMAINS = { ["gmail.com"] = true, ["googlemail.com"] = true }

-- Members that mean anyone (on the internet, or with any Google account).
M.PUBLIC_MEMBERS = { allUsers = true, allAuthenticatedUsers = true }

---------------------------------------------------------------------------
-- Who, where, what
---------------------------------------------------------------------------

-- principal is the email of whoever made the call.
function M.principal(event)
  local p = event:get("protoPayload", "authenticationInfo", "principalEmail")
  if p == nil or p == "" then
    p = event:get("protoPayload", "authenticationInfo", "principalSubject")
  end
  if p == nil or p == "" then
    return "unknown"
  end
  return p
end

-- caller_ip is the caller's address as logged: an IP, or a word such as
-- "private" or "gce-internal-ip" for calls from inside Google's network.
function M.caller_ip(event)
  return event:get("protoPayload", "requestMetadata", "callerIp")
    or event:get("protoPayload", "requestMetadata", "callerIP")
end

-- project is the project ID of the resource, else the log's project.
function M.project(event)
  local p = event:get("resource", "labels", "project_id")
  if p == nil or p == "" then
    p = (event.logName or ""):match("^projects/([^/]+)/")
  end
  return p or "unknown"
end

-- scope names where the call happened: "project P", "organization O" or
-- "folder F", from the log name.
function M.scope(event)
  local kind, id = (event.logName or ""):match("^(%a+)s/([^/]+)/logs/")
  if kind == "organization" or kind == "folder" or kind == "billingAccount" then
    return kind .. " " .. id
  end
  return "project " .. M.project(event)
end

function M.method(event)
  return event:get("protoPayload", "methodName") or ""
end

function M.resource(event)
  return event:get("protoPayload", "resourceName") or "unknown"
end

-- failed reports a call that returned an error status.
function M.failed(event)
  local code = event:get("protoPayload", "status", "code")
  return code ~= nil and code ~= 0
end

-- short returns the last path element of a resource name.
function M.short(name)
  if name == nil then
    return nil
  end
  return name:match("([^/]+)$") or name
end

---------------------------------------------------------------------------
-- IAM changes
---------------------------------------------------------------------------

-- binding_deltas returns the IAM binding changes of the call as a list of
-- {action = "ADD"|"REMOVE", role = ..., member = ...}: the policy delta of
-- SetIamPolicy on any service (serviceData.policyDelta), or BigQuery's
-- (metadata.datasetChange / tableChange bindingDeltas).
function M.binding_deltas(event)
  local out = {}
  local sources = {
    event:get("protoPayload", "serviceData", "policyDelta", "bindingDeltas"),
    event:get("protoPayload", "metadata", "datasetChange", "bindingDeltas"),
    event:get("protoPayload", "metadata", "tableChange", "bindingDeltas"),
  }
  -- sources may hold nils: walk the three slots, not ipairs.
  for i = 1, 3 do
    local list = sources[i]
    if type(list) == "table" then
      for _, d in ipairs(list) do
        if type(d) == "table" and d.member ~= nil then
          table.insert(out, { action = d.action, role = d.role, member = d.member })
        end
      end
    end
  end
  return out
end

-- added returns the bindings the call added.
function M.added(event)
  local out = {}
  for _, d in ipairs(M.binding_deltas(event)) do
    if d.action == "ADD" then
      table.insert(out, d)
    end
  end
  return out
end

-- member_domain is the lower-case domain of "user:a@b", "group:g@b",
-- "domain:b", "serviceAccount:x@p.iam.gserviceaccount.com", else nil.
function M.member_domain(member)
  local kind, rest = (member or ""):match("^(%a+):(.+)$")
  if kind == nil then
    return nil
  end
  if kind == "domain" then
    return rest:lower()
  end
  local d = rest:match("@([^@]+)$")
  return d and d:lower()
end

function M.is_public_member(member)
  return M.PUBLIC_MEMBERS[member] == true
end

-- is_external_member: a user, group or domain outside org_domains (while
-- org_domains is empty: a consumer Google account). Service accounts are
-- judged by their project, not their domain, and are never external here.
function M.is_external_member(member)
  local kind = (member or ""):match("^(%a+):")
  if kind ~= "user" and kind ~= "group" and kind ~= "domain" then
    return false
  end
  local d = M.member_domain(member)
  if d == nil then
    return false
  end
  if M.CONSUMER_DOMAINS[d] then
    return true
  end
  if next(M.org_domains) == nil then
    return false
  end
  return M.org_domains[d] ~= true
end

---------------------------------------------------------------------------
-- Alert context
---------------------------------------------------------------------------

function M.context(event)
  return {
    actor = M.principal(event),
    source_ip = M.caller_ip(event),
    user_agent = event:get("protoPayload", "requestMetadata", "callerSuppliedUserAgent"),
    project = M.project(event),
    service = event:get("protoPayload", "serviceName"),
    method = M.method(event),
    resource = M.resource(event),
    resource_type = event:get("resource", "type"),
    delegation = event:get("protoPayload", "authenticationInfo", "serviceAccountDelegationInfo", 1,
      "firstPartyPrincipal", "principalEmail"),
    insert_id = event.insertId,
  }
end

return M
