local web = require("web")

function rule(event)
  -- web.scanner's needles, spelt out: the engine checks this opening in Go
  -- (a guard) on the list web.scanner_agents holds (mocked or not), so a
  -- browser's request never reaches Lua.
  if not match.literals(web.scanner_agents, { ignore_case = true }):test(event.user_agent) then
    return false
  end
  return web.scanner(event.user_agent) ~= nil and not web.is_authorized_scanner(event)
end

function title(event)
  local tool, kind = web.scanner(event.user_agent)
  local what = "scan"
  if kind == "exploit" then
    what = "attack"
  end
  return string.format("%s %s from %s", tool, what, web.client(event))
end

-- One client is one alert, whichever tools it runs.
function dedup(event)
  return web.client(event)
end

-- Tools that exploit what they find (sqlmap, commix, Hydra) are past
-- reconnaissance.
function severity(event)
  local _, kind = web.scanner(event.user_agent)
  if kind == "exploit" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = web.context(event)
  local tool, kind = web.scanner(event.user_agent)
  ctx.tool = tool
  ctx.tool_kind = kind
  return ctx
end
