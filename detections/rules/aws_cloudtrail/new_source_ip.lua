-- The history (FirstSeen in the spec) is kept by the engine: rule() only
-- says which calls count as the account being used from an address.
function rule(event)
  local ip = event.sourceIPAddress
  return ip ~= nil and net.is_ip(ip) and not net.is_private(ip)
end
