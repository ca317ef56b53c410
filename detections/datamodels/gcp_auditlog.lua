local gcp = require("gcp")

function actor_user(event)
  local p = gcp.principal(event)
  if p == "unknown" then
    return nil
  end
  return p
end

-- source_ip: the caller's address when it is one; calls from inside
-- Google's network log words ("private", "gce-internal-ip") instead.
function source_ip(event)
  local ip = gcp.caller_ip(event)
  if net.is_ip(ip) then
    return ip
  end
  return nil
end

function project_id(event)
  local p = gcp.project(event)
  if p == "unknown" then
    return nil
  end
  return p
end
