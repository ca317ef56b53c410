local gcp = require("gcp")

local PREFIX = "google.logging.v2.ConfigServiceV2."

-- excludes_all: an exclusion filter that matches every entry.
local function excludes_all(exclusion)
  if type(exclusion) ~= "table" or exclusion.disabled == true then
    return false
  end
  local f = (exclusion.filter or ""):gsub("%s", "")
  return f == "*"
end

local function sink_excludes_all(event)
  local list = event:get("protoPayload", "request", "sink", "exclusions")
  if type(list) ~= "table" then
    return false
  end
  for _, x in ipairs(list) do
    if excludes_all(x) then
      return true
    end
  end
  return false
end

local function change(event)
  local m = gcp.method(event)
  if m == PREFIX .. "DeleteSink" then
    return "log sink", "deleted"
  end
  if m == PREFIX .. "DeleteBucket" then
    return "log bucket", "deleted"
  end
  if m == PREFIX .. "UpdateSink" and event:get("protoPayload", "request", "sink", "disabled") == true then
    return "log sink", "disabled"
  end
  if m == PREFIX .. "UpdateSink" and sink_excludes_all(event) then
    return "log sink", "set to exclude every log entry"
  end
  if (m == PREFIX .. "CreateExclusion" or m == PREFIX .. "UpdateExclusion")
    and excludes_all(event:get("protoPayload", "request", "exclusion")) then
    return "log exclusion", "set to exclude every log entry"
  end
  return nil
end

function rule(event)
  return change(event) ~= nil and not gcp.failed(event)
end

local function name(event)
  return gcp.short(event:get("protoPayload", "request", "sinkName") or event:get("protoPayload", "request", "name")
    or gcp.resource(event))
end

function title(event)
  local what, verb = change(event)
  return string.format("GCP %s %s %s by %s in %s", what, name(event), verb, gcp.principal(event), gcp.scope(event))
end

function dedup(event)
  return gcp.resource(event)
end

function alert_context(event)
  local ctx = gcp.context(event)
  ctx.sink_or_bucket = name(event)
  ctx.destination = event:get("protoPayload", "request", "sink", "destination")
  return ctx
end
