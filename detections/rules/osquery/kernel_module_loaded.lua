local osquery = require("osquery")

-- Linux kernel_modules (incident-response pack: "kernel_modules") and
-- macOS kernel_extensions (incident-response pack: "kextstat").
local LINUX = { "kernel_modules" }
local MACOS = { "kextstat", "kernel_extensions" }

local function platform(event)
  if osquery.query_is(event, LINUX)
    or (osquery.col(event, "used_by") ~= nil and osquery.col(event, "status") ~= nil) then
    return "Linux"
  end
  if osquery.query_is(event, MACOS) then
    return "macOS"
  end
  return nil
end

local function module(event)
  return osquery.col(event, "name")
end

function rule(event)
  if not osquery.added(event) or platform(event) == nil then
    return false
  end
  local name = module(event)
  -- Apple's own extensions load on demand all the time.
  if platform(event) == "macOS" and type(name) == "string" and name:sub(1, 10) == "com.apple." then
    return false
  end
  return name ~= nil and not osquery.matches_list(name, osquery.kernel_modules_expected)
end

function title(event)
  return string.format("Kernel module %s loaded on %s", module(event), osquery.host(event))
end

function dedup(event)
  return osquery.host(event) .. ":" .. module(event)
end

function alert_context(event)
  local ctx = osquery.context(event)
  ctx.module = module(event)
  ctx.platform = platform(event)
  ctx.module_path = osquery.col(event, "path")
  ctx.size = osquery.col(event, "size")
  ctx.used_by = osquery.col(event, "used_by")
  ctx.status = osquery.col(event, "status")
  ctx.version = osquery.col(event, "version")
  return ctx
end
