-- domain: the name the alerting flow was about, from its app-layer
-- object: HTTP host, TLS SNI, else the DNS query.
function domain(event)
  return event:get("http", "hostname") or event:get("tls", "sni")
    or event:get("dns", "rrname") or event:get("dns", "queries", 1, "rrname")
end
