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
  return string.format("VPC %s (%s) has no active flow log", resource.Name or "?", resource.VpcId or resource.ResourceId)
end
