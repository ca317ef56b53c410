function policy(resource)
  return #(resource.MultiRegionTrails or {}) > 0
end

function title(resource)
  local n = #(resource.Trails or {})
  local what = "trails"
  if n == 1 then
    what = "trail"
  end
  return string.format("Account %s has no multi-region CloudTrail trail (%d %s)", resource.AccountId or "?", n, what)
end
