-- actor_user: the IAM ARN or canonical ID of the requester; nil for
-- unauthenticated requests (the log writes "-", left out of the event).
function actor_user(event)
  return event.requester
end
