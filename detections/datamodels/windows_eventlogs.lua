local windows = require("windows")

function actor_user(event)
  local u = windows.user(event)
  if u == "unknown user" then
    return nil
  end
  return u
end

function source_ip(event)
  return windows.data(event, "IpAddress") or windows.data(event, "SourceIp")
end

function process(event)
  local ok, image = windows.process_create(event)
  if ok then
    return image
  end
  return windows.data(event, "Image") or windows.data(event, "SourceImage")
end

function command_line(event)
  local ok, _, cmdline = windows.process_create(event)
  if ok then
    return cmdline
  end
  return windows.data(event, "ScriptBlockText")
end
