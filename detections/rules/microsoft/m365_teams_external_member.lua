local microsoft = require("microsoft")

local function guest(event)
  local members = event.Members
  if type(members) ~= "table" then
    return nil
  end
  for _, m in ipairs(members) do
    if type(m.UPN) == "string" and string.find(m.UPN, "#EXT#", 1, true) then
      return m.UPN
    end
  end
  return nil
end

function rule(event)
  return event.Workload == "MicrosoftTeams" and event.Operation == "MemberAdded" and guest(event) ~= nil
end

function title(event)
  return string.format("Guest %s added to team %s by %s", guest(event), event.TeamName or "?", microsoft.user(event))
end

function dedup(event)
  return (event.TeamName or "?") .. ":" .. guest(event)
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.team = event.TeamName
  ctx.guest = guest(event)
  return ctx
end
