-- exempt_regions: regions where GuardDuty is not required.
exempt_regions = {}

local function missing(resource)
  local have = {}
  for _, id in ipairs(resource.Detectors or {}) do
    local region = tostring(id):match("^[^:]*:([^:]*):")
    if region ~= nil then
      have[region] = true
    end
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
  return #missing(resource) == 0
end

function title(resource)
  return string.format("GuardDuty is not enabled in %s of account %s", table.concat(missing(resource), ", "), resource.AccountId or "?")
end
