local k8s = require("k8s")

local PUBLIC = {["/healthz"] = true, ["/livez"] = true, ["/readyz"] = true, ["/version"] = true,
  ["/.well-known/openid-configuration"] = true, ["/openid/v1/jwks"] = true}

local function path(event)
  return string.match(event.requestURI or "", "^[^?]*") or ""
end

function rule(event)
  return k8s.user(event) == "system:anonymous" and k8s.allowed(event) and not PUBLIC[path(event)]
end

function title(event)
  local what = k8s.resource(event)
  if what == "" then
    what = path(event)
  else
    what = what .. " " .. k8s.object(event)
  end
  return string.format("Anonymous %s of %s allowed from %s", event.verb or "request", what, k8s.source_ip(event) or "?")
end

function dedup(event)
  return (k8s.source_ip(event) or "?") .. ":" .. (k8s.resource(event) ~= "" and k8s.resource(event) or path(event))
end

function alert_context(event)
  local ctx = k8s.context(event)
  ctx.reason = event:get("annotations", "authorization.k8s.io/reason")
  return ctx
end
