local gcp = require("gcp")

-- Roles that own the resource or can become anyone in it.
local PRIVILEGED = {
  ["roles/owner"] = true,
  ["roles/editor"] = true,
  ["roles/resourcemanager.organizationAdmin"] = true,
  ["roles/resourcemanager.folderAdmin"] = true,
  ["roles/resourcemanager.projectIamAdmin"] = true,
  ["roles/iam.securityAdmin"] = true,
  ["roles/iam.serviceAccountTokenCreator"] = true,
  ["roles/iam.serviceAccountKeyAdmin"] = true,
}

-- grants returns the privileged bindings to external members that the
-- call added, including a project ownership invitation (the console's way
-- to make a consumer account owner).
local function grants(event)
  local out = {}
  if gcp.method(event) == "InsertProjectOwnershipInvite" then
    local m = event:get("protoPayload", "request", "member")
    if m ~= nil and gcp.is_external_member(m) then
      table.insert(out, { role = "roles/owner", member = m })
    end
    return out
  end
  for _, d in ipairs(gcp.added(event)) do
    if PRIVILEGED[d.role or ""] and gcp.is_external_member(d.member) then
      table.insert(out, d)
    end
  end
  return out
end

function rule(event)
  return not gcp.failed(event) and #grants(event) > 0
end

function title(event)
  local g = grants(event)[1]
  return string.format("GCP %s granted to external %s by %s in %s",
    g.role, g.member, gcp.principal(event), gcp.scope(event))
end

function dedup(event)
  return gcp.scope(event) .. ":" .. grants(event)[1].member
end

function alert_context(event)
  local ctx = gcp.context(event)
  local list = {}
  for _, g in ipairs(grants(event)) do
    table.insert(list, g.member .. ": " .. g.role)
  end
  ctx.external_grants = table.concat(list, ", ")
  return ctx
end
