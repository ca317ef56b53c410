local github = require("github")

-- repository: owner/name, from "repo" or (newer events) "repository".
function repository(event)
  return github.repo(event)
end
