local okta = require("okta")

function actor_user(event)
  local a = event:get("actor", "alternateId")
  if a == nil or a == "" or a == "unknown" then
    return nil
  end
  return a
end

function target_user(event)
  return okta.target_user(event)
end
