local function public(perms)
  for _, p in ipairs(perms or {}) do
    if p.Group == "all" then
      return true
    end
  end
  return false
end

local function public_snapshot(resource)
  if resource.ResourceType == "AWS.EC2.Volume" then
    for _, s in ipairs(resource.Snapshots or {}) do
      if public(s.CreateVolumePermissions) then
        return s.SnapshotId or "?"
      end
    end
    return nil
  end
  if public(resource.CreateVolumePermissions) then
    return resource.SnapshotId or resource.ResourceId
  end
  return nil
end

function policy(resource)
  return public_snapshot(resource) == nil
end

function title(resource)
  return string.format("EBS snapshot %s can be restored by anyone", public_snapshot(resource) or "?")
end
