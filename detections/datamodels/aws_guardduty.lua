-- The remote address of a finding's action: the party that connected,
-- called the API, probed the port or logged in.
function source_ip(event)
  local a = event:get("service", "action")
  if a == nil then
    return nil
  end
  return a:get("networkConnectionAction", "remoteIpDetails", "ipAddressV4")
    or a:get("awsApiCallAction", "remoteIpDetails", "ipAddressV4")
    or a:get("kubernetesApiCallAction", "remoteIpDetails", "ipAddressV4")
    or a:get("rdsLoginAttemptAction", "remoteIpDetails", "ipAddressV4")
    or a:get("portProbeAction", "portProbeDetails", 1, "remoteIpDetails", "ipAddressV4")
end

-- The IAM user or role session a finding is about.
function actor_user(event)
  return event:get("resource", "accessKeyDetails", "userName")
end

-- The domain of a DNS or API-call finding.
function domain(event)
  return event:get("service", "action", "dnsRequestAction", "domain")
    or event:get("service", "action", "awsApiCallAction", "domainDetails", "domain")
end
