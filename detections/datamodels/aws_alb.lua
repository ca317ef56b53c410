-- domain: the TLS server name when the client sent one, else the host of
-- the request line (https://host:port/...).
function domain(event)
  if event.domainName ~= nil then
    return event.domainName
  end
  local url = event.requestUrl
  if url == nil then
    return nil
  end
  return url:match("^%a+://%[([^%]]+)%]") or url:match("^%a+://([^/:]+)")
end
