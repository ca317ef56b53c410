local function clear(s)
  return s.Encrypted == false and (s.State == nil or s.State == "completed")
end

local function unencrypted(resource)
  if resource.ResourceType == "AWS.EC2.Volume" then
    for _, s in ipairs(resource.Snapshots or {}) do
      if clear(s) then
        return s.SnapshotId or "?"
      end
    end
    return nil
  end
  if clear(resource) then
    return resource.SnapshotId or resource.ResourceId
  end
  return nil
end

function policy(resource)
  return unencrypted(resource) == nil
end

function title(resource)
  return string.format("EBS snapshot %s is not encrypted", unencrypted(resource) or "?")
end
