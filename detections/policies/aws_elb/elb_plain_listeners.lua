local function plain(resource)
  for _, ld in ipairs(resource.ListenerDescriptions or {}) do
    local l = ld.Listener or {}
    local proto = string.upper(tostring(l.Protocol or ""))
    local port = tonumber(l.LoadBalancerPort)
    if (proto == "HTTP" or proto == "TCP") and not (proto == "HTTP" and port == 80) then
      return proto, port
    end
  end
  return nil
end

function policy(resource)
  if resource.Scheme == "internal" then
    return true
  end
  return plain(resource) == nil
end

function title(resource)
  local proto, port = plain(resource)
  return string.format("Classic Load Balancer %s listens on %s port %s without TLS", resource.Name or resource.ResourceId, proto or "?", tostring(port))
end
