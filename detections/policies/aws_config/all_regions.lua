-- exempt_regions: regions where AWS Config is not required.
exempt_regions = {}

local function missing(resource)
  local have = {}
  for _, r in ipairs(resource.RecordingRegions or {}) do
    have[r] = true
  end
  local out = {}
  for _, r in ipairs(resource.Regions or {}) do
    if not have[r] and not exempt_regions[r] then
      table.insert(out, r)
    end
  end
  return out
end

function policy(resource)
  return #missing(resource) == 0 and (tonumber(resource.GlobalRecorderCount) or 0) > 0
end

function title(resource)
  local m = missing(resource)
  if #m > 0 then
    return string.format("AWS Config is not recording in %s of account %s", table.concat(m, ", "), resource.AccountId or "?")
  end
  return string.format("AWS Config does not record global resources (IAM) in account %s", resource.AccountId or "?")
end
