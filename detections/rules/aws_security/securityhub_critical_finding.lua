local SEVERE = {CRITICAL = true, HIGH = true}
local OPEN = {NEW = true, NOTIFIED = true}

function rule(event)
  local status = event:get("Workflow", "Status") or event.WorkflowState or "NEW"
  return SEVERE[event:get("Severity", "Label") or ""] == true and OPEN[status] == true and (event.RecordState or "ACTIVE") == "ACTIVE"
end

function title(event)
  return string.format("%s: %s", event.ProductName or "Security Hub", event.Title or "finding")
end

function dedup(event)
  return event.Id or event.Title
end

function severity(event)
  if event:get("Severity", "Label") == "CRITICAL" then
    return "Critical"
  end
  return "DEFAULT"
end

function alert_context(event)
  local resources = {}
  if type(event.Resources) == "table" then
    for _, r in ipairs(event.Resources) do
      resources[#resources + 1] = r.Id
    end
  end
  return {account = event.AwsAccountId, region = event.Region, product = event.ProductName, types = event.Types, resources = resources}
end
