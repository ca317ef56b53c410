-- actor_user: the FTP login, nil before any USER command (Zeek writes
-- "<unknown>").
function actor_user(event)
  local user = event.user
  if user == nil or user == "<unknown>" then
    return nil
  end
  return user
end
