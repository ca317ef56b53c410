local gsuite = require("gsuite")

local OPEN = {people_with_link = "anyone with the link", public_on_the_web = "the whole web",
  people_within_domain_with_link = nil}

local function with(event)
  local name = event.name
  if name == "change_document_visibility" then
    return OPEN[gsuite.param(event, "visibility") or ""]
  end
  if name == "change_user_access" or name == "change_document_access_scope" then
    local target = gsuite.param(event, "target_user") or gsuite.param(event, "target_domain")
    if target ~= nil and target ~= "all" and not gsuite.is_internal(target) then
      return target
    end
  end
  return nil
end

function rule(event)
  return gsuite.app(event) == "drive" and with(event) ~= nil
end

function title(event)
  return string.format("%s shared %q with %s", gsuite.actor(event), gsuite.param(event, "doc_title") or "?", with(event))
end

function dedup(event)
  return gsuite.param(event, "doc_id") or gsuite.param(event, "doc_title") or "?"
end

function alert_context(event)
  local ctx = gsuite.context(event)
  ctx.document = gsuite.param(event, "doc_title")
  ctx.owner = gsuite.param(event, "owner")
  ctx.shared_with = with(event)
  return ctx
end
