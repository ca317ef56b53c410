-- evidence returns the first value of a field over the alert's evidence.
local function evidence(event, ...)
  local ev = event.evidence
  if type(ev) ~= "table" then
    return nil
  end
  for _, e in ipairs(ev) do
    local v = e:get(...)
    if v ~= nil and v ~= "" then
      return v
    end
  end
  return nil
end

function actor_user(event)
  return evidence(event, "userAccount", "userPrincipalName") or evidence(event, "userAccount", "accountName")
end

function source_ip(event)
  return evidence(event, "ipAddress")
end
