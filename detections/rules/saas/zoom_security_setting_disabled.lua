local function setting(event)
  return string.match(event.operation_detail or "", "^Security %- (.-): from On to Off")
end

function rule(event)
  return event.category_type == "Account" and event.action == "Update" and setting(event) ~= nil
end

function title(event)
  return string.format("Zoom security setting turned off by %s: %s", event.operator or "?", setting(event))
end

function dedup(event)
  return setting(event)
end

function alert_context(event)
  return {operator = event.operator, setting = setting(event), detail = event.operation_detail}
end
