local github = require("github")

-- read_only arrives as a boolean, or as text in some exports.
local function read_only(event)
  local r = event.read_only
  if r == true or r == "true" then
    return true
  end
  if r == false or r == "false" then
    return false
  end
  return nil
end

-- public_key.create on a repository is a deploy key; without a repository
-- it is a user adding an SSH key to their own account.
function rule(event)
  return event.action == "public_key.create" and github.repo(event) ~= nil and read_only(event) ~= true
end

function title(event)
  local access = read_only(event) == false and "write access" or "unrecorded access"
  return string.format("GitHub deploy key with %s added to %s by %s", access, github.repo(event), github.actor(event))
end

function dedup(event)
  return github.repo(event)
end

-- A key whose access GitHub did not record may be read-only: Low.
function severity(event)
  if read_only(event) == nil then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.key_title = event.title or event:get("data", "title")
  ctx.fingerprint = event.fingerprint or event.deploy_key_fingerprint
  ctx.read_only = event.read_only
  return ctx
end
