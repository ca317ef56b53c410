function rule(event)
  return event.category == "AdvancedHunting-AlertInfo" and event:get("properties", "Severity") == "High"
end

function title(event)
  return "Defender XDR: " .. (event:get("properties", "Title") or "alert")
end

function dedup(event)
  return event:get("properties", "AlertId") or event:get("properties", "Title") or "alert"
end

function alert_context(event)
  return {
    alert_id = event:get("properties", "AlertId"),
    category = event:get("properties", "Category"),
    techniques = event:get("properties", "AttackTechniques"),
    source = event:get("properties", "ServiceSource"),
  }
end
