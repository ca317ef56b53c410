local microsoft = require("microsoft")

function source_ip(event)
  return microsoft.ip(event)
end

-- user_agent is the UserAgent field (SharePoint), else the UserAgent of
-- ExtendedProperties (Entra ID sign-ins).
function user_agent(event)
  if event.UserAgent ~= nil then
    return event.UserAgent
  end
  local props = event.ExtendedProperties
  if type(props) == "table" then
    for _, p in ipairs(props) do
      if p.Name == "UserAgent" then
        return p.Value
      end
    end
  end
  return nil
end
