-- Shared by the Okta takeover chains: c is the correlation (c.key,
-- c.matches, c.steps.<ID>), each match with rule_id, p_event_time,
-- p_row_id, title, dedup, alert_context.

local function user(c)
  local m = c:get("steps", "MFAPassed", 1)
  return m and m.dedup or "?"
end

local function address(c)
  return c:get("steps", "Spray", 1, "key") or "?"
end

local WHAT = {
  MassClone = "repositories cloned",
  KeyCreated = "GCP service account key created",
}

function title(c)
  local what = "used"
  for id, text in pairs(WHAT) do
    if c:get("steps", id) ~= nil then
      what = text
    end
  end
  return string.format("Okta account %s taken over from %s: %s", user(c), address(c), what)
end

function dedup(c)
  return user(c)
end

function alert_context(c)
  return {user = user(c), address = address(c), spray_failures_seen = #c.steps.Spray,
    first = c:get("matches", 1, "p_event_time"), last = c:get("matches", #c.matches, "p_event_time")}
end
