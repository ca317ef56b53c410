-- user_agent: the full banner of client software (HTTP::BROWSER,
-- SSH::CLIENT, ...); nil for servers, whose banner is not a user agent.
function user_agent(event)
  local kind = event.software_type or ""
  if string.find(kind, "BROWSER$") or string.find(kind, "CLIENT$") then
    return event.unparsed_version
  end
  return nil
end
