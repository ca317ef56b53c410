local gcp = require("gcp")

local METHODS = {
  ["google.iam.admin.v1.CreateServiceAccountKey"] = "created",
  ["google.iam.admin.v1.UploadServiceAccountKey"] = "uploaded",
}

function rule(event)
  return METHODS[gcp.method(event)] ~= nil and not gcp.failed(event)
    and not gcp.key_creators_allowed[gcp.principal(event)]
end

-- service_account is the email of the account the key belongs to: from
-- the resource labels, else the key's or the request's resource name.
local function service_account(event)
  local sa = event:get("resource", "labels", "email_id")
  if sa ~= nil and sa ~= "" then
    return sa
  end
  for _, name in ipairs({
    event:get("protoPayload", "response", "name") or "",
    event:get("protoPayload", "request", "name") or "",
    gcp.resource(event),
  }) do
    local id = name:match("serviceAccounts/([^/]+)")
    if id ~= nil and id ~= "-" then
      return id
    end
  end
  return "unknown"
end

function title(event)
  return string.format("GCP service account key %s for %s by %s in project %s",
    METHODS[gcp.method(event)], service_account(event), gcp.principal(event), gcp.project(event))
end

function dedup(event)
  return service_account(event)
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.service_account = service_account(event)
  ctx.key_name = event:get("protoPayload", "response", "name")
  return ctx
end
