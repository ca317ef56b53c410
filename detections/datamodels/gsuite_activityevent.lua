function target_user(event)
  return event:get("parameters", "USER_EMAIL") or event:get("parameters", "target_user")
end
