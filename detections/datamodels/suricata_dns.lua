-- domain: the query name: dns.rrname (EVE DNS formats 1 and 2) or the
-- first of dns.queries (format 3).
function domain(event)
  return event:get("dns", "rrname") or event:get("dns", "queries", 1, "rrname")
end
