local aws = require("aws")

function actor_user(event)
  return aws.actor(event)
end
