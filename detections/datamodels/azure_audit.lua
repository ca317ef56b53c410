local microsoft = require("microsoft")

-- actor_user is the signed-in user of a sign-in, the initiator of an
-- audit record.
function actor_user(event)
  local upn = microsoft.prop(event, "userPrincipalName")
  if upn ~= nil then
    return upn
  end
  local who = microsoft.initiator(event)
  if who == "unknown" then
    return nil
  end
  return who
end

function target_user(event)
  local t = microsoft.target(event, "User")
  return t and t.userPrincipalName
end

function source_ip(event)
  return microsoft.signin_ip(event)
end
