local RULES = { "RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers", "RequireSymbols" }

local function missing(resource)
  local out = {}
  for _, k in ipairs(RULES) do
    if resource.AnyExist ~= true or resource[k] ~= true then
      table.insert(out, k)
    end
  end
  return out
end

function policy(resource)
  return #missing(resource) == 0
end

function title(resource)
  return string.format("Password policy of account %s does not require %s", resource.AccountId or "?", table.concat(missing(resource), ", "))
end
