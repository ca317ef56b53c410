local gcp = require("gcp")

-- Friendly names of the resource types people make public.
local KINDS = {
  gcs_bucket = "Cloud Storage bucket",
  bigquery_dataset = "BigQuery dataset",
  bigquery_resource = "BigQuery resource",
  gce_image = "Compute image",
  gce_disk = "Compute disk",
  gce_snapshot = "Compute snapshot",
  cloudkms_cryptokey = "KMS key",
  pubsub_topic = "Pub/Sub topic",
  pubsub_subscription = "Pub/Sub subscription",
  audited_resource = "resource",
}

-- grants returns the public bindings the call added: from the policy
-- delta when the service logs one, else (Compute, a few others) the public
-- members of the new policy in the request.
local function grants(event)
  local out = {}
  local deltas = gcp.binding_deltas(event)
  if #deltas > 0 then
    for _, d in ipairs(deltas) do
      if d.action == "ADD" and gcp.is_public_member(d.member) and not gcp.public_roles_expected[d.role or ""] then
        table.insert(out, d)
      end
    end
    return out
  end
  if not gcp.method(event):lower():find("setiampolicy", 1, true) then
    return out
  end
  local bindings = event:get("protoPayload", "request", "policy", "bindings")
  if type(bindings) ~= "table" then
    return out
  end
  for _, b in ipairs(bindings) do
    if type(b) == "table" and type(b.members) == "table" and not gcp.public_roles_expected[b.role or ""] then
      for _, m in ipairs(b.members) do
        if gcp.is_public_member(m) then
          table.insert(out, { action = "ADD", role = b.role, member = m })
        end
      end
    end
  end
  return out
end

function rule(event)
  return not gcp.failed(event) and #grants(event) > 0
end

local function target(event)
  local kind = KINDS[event:get("resource", "type") or ""] or "resource"
  local name = event:get("resource", "labels", "bucket_name")
    or event:get("resource", "labels", "dataset_id")
    or gcp.short(gcp.resource(event))
  return kind .. " " .. name
end

local function describe(list)
  local parts = {}
  for _, g in ipairs(list) do
    table.insert(parts, g.member .. ": " .. (g.role or "?"))
  end
  return table.concat(parts, ", ")
end

function title(event)
  return string.format("GCP %s made public (%s) by %s in %s",
    target(event), describe(grants(event)), gcp.principal(event), gcp.scope(event))
end

function dedup(event)
  return gcp.resource(event)
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.public_grants = describe(grants(event))
  return ctx
end
