local function public(attrs)
  for _, a in ipairs(attrs or {}) do
    if a.AttributeName == "restore" then
      for _, v in ipairs(a.AttributeValues or {}) do
        if v == "all" then
          return true
        end
      end
    end
  end
  return false
end

local function public_snapshot(resource)
  if resource.ResourceType == "AWS.RDS.Instance" then
    for _, s in ipairs(resource.SnapshotAttributes or {}) do
      if public(s.DBSnapshotAttributes) then
        return s.DBSnapshotIdentifier or "?"
      end
    end
    return nil
  end
  if public(resource.DBSnapshotAttributes) then
    return resource.DBSnapshotIdentifier or resource.ResourceId
  end
  return nil
end

function policy(resource)
  return public_snapshot(resource) == nil
end

function title(resource)
  return string.format("RDS snapshot %s can be restored by anyone", public_snapshot(resource) or "?")
end
