local github = require("github")

local DOWNLOADS = { ["git.clone"] = true, ["repo.download_zip"] = true }

function rule(event)
  if not DOWNLOADS[event.action] then
    return false
  end
  local actor = event.actor
  if actor == nil or actor == "" or github.is_bot(event) or github.bulk_clone_actors[actor] then
    return false
  end
  -- Public code is anyone's to clone.
  return event.repository_public ~= true and event.public_repo ~= true
end

function title(event)
  return string.format("GitHub user %s cloning or downloading many repositories of %s",
    github.actor(event), github.owner(event))
end

function dedup(event)
  return github.actor(event)
end

function alert_context(event)
  local ctx = github.context(event)
  ctx.protocol = event.transport_protocol_name
  ctx.hashed_token = event.hashed_token
  return ctx
end
