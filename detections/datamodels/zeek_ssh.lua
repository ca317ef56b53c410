-- event_type: the outcome of authentication as Zeek saw it:
-- "auth_success", "auth_failure", or nil when the client never tried.
function event_type(event)
  if event.auth_success == true then
    return "auth_success"
  elseif event.auth_success == false then
    return "auth_failure"
  end
  return nil
end
