function policy(resource)
  for _, fl in ipairs(resource.FlowLogs or {}) do
    local status = fl.FlowLogStatus or "ACTIVE"
    if status == "ACTIVE" and (fl.TrafficType == "ALL" or fl.TrafficType == "REJECT") then
      return true
    end
  end
  return false
end

function title(resource)
  local id = resource.VpcId or resource.ResourceId
  local name = resource.Name
  if name ~= nil and name ~= id then
    id = name .. " (" .. id .. ")"
  end
  return string.format("VPC %s has no active flow log", id)
end
