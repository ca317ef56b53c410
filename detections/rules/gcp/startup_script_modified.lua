local gcp = require("gcp")

-- Metadata keys whose value the guest agent runs as root (or SYSTEM) at
-- boot or shutdown.
local SCRIPT_KEYS = {
  ["startup-script"] = true,
  ["startup-script-url"] = true,
  ["shutdown-script"] = true,
  ["shutdown-script-url"] = true,
  ["windows-startup-script-ps1"] = true,
  ["windows-startup-script-cmd"] = true,
  ["windows-startup-script-bat"] = true,
  ["windows-startup-script-url"] = true,
  ["windows-shutdown-script-ps1"] = true,
  ["windows-shutdown-script-cmd"] = true,
  ["windows-shutdown-script-bat"] = true,
  ["windows-shutdown-script-url"] = true,
  ["sysprep-specialize-script-ps1"] = true,
  ["sysprep-specialize-script-cmd"] = true,
  ["sysprep-specialize-script-bat"] = true,
  ["sysprep-specialize-script-url"] = true,
}

local METHODS = {
  ["compute.instances.setMetadata"] = "instance",
  ["compute.projects.setCommonInstanceMetadata"] = "project",
}

local function scope(event)
  local m = gcp.method(event):gsub("^%w+%.compute%.", "compute.")
  return METHODS[m]
end

-- changed_keys lists the script keys the call added or modified, from the
-- instance or project metadata delta Compute logs.
local function changed_keys(event)
  local delta = event:get("protoPayload", "metadata", "instanceMetadataDelta")
    or event:get("protoPayload", "metadata", "projectMetadataDelta")
  local out, seen = {}, {}
  if type(delta) ~= "table" then
    return out
  end
  for _, field in ipairs({ "addedMetadataKeys", "modifiedMetadataKeys" }) do
    local keys = delta[field]
    if type(keys) == "table" then
      for _, k in ipairs(keys) do
        if SCRIPT_KEYS[k] and not seen[k] then
          seen[k] = true
          table.insert(out, k)
        end
      end
    end
  end
  return out
end

function rule(event)
  return scope(event) ~= nil and not gcp.failed(event) and #changed_keys(event) > 0
end

local function target(event)
  if scope(event) == "project" then
    return "all instances of project " .. gcp.project(event)
  end
  return "instance " .. gcp.short(gcp.resource(event)) .. " in project " .. gcp.project(event)
end

function title(event)
  return string.format("GCP %s set on %s by %s", table.concat(changed_keys(event), ", "),
    target(event), gcp.principal(event))
end

function dedup(event)
  return gcp.resource(event)
end

-- Project metadata reaches every instance that does not override it.
function severity(event)
  if scope(event) == "project" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.script_keys = table.concat(changed_keys(event), ", ")
  ctx.scope = scope(event)
  ctx.zone = event:get("resource", "labels", "zone")
  ctx.instance_id = event:get("resource", "labels", "instance_id")
  return ctx
end
