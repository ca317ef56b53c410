local aws = require("aws")

-- How the call exposes the function, or nil.
local function exposure(event)
  local name = event.eventName or ""
  local rp = event.requestParameters
  if rp == nil then
    return nil
  end
  -- Lambda event names carry the API version: AddPermission20150331v2.
  if name:match("^AddPermission") then
    if rp.principal == "*" and rp.sourceArn == nil and rp.sourceAccount == nil and rp.principalOrgID == nil then
      if rp.functionUrlAuthType == "NONE" then
        return "public function URL permission"
      end
      return "anyone may call " .. (rp.action or "it")
    end
    return nil
  end
  if name:match("^CreateFunctionUrlConfig") or name:match("^UpdateFunctionUrlConfig") then
    if rp.authType == "NONE" then
      return "function URL without authentication"
    end
  end
  return nil
end

function rule(event)
  if event.eventSource ~= "lambda.amazonaws.com" or aws.failed(event) then
    return false
  end
  return exposure(event) ~= nil
end

local function fn(event)
  local f = event:get("requestParameters", "functionName") or "?"
  return f:match(":function:([^:]+)") or f
end

function title(event)
  return string.format("Lambda function %s made public (%s) by %s in %s",
    fn(event), exposure(event), aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. fn(event)
end

-- A resource policy for "*" lets any AWS account invoke the function with
-- its role's permissions; a URL without auth is usually a webhook.
function severity(event)
  if exposure(event):match("^anyone") then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    region = event.awsRegion,
    function_name = fn(event),
    exposure = exposure(event),
    statement_id = event:get("requestParameters", "statementId"),
    function_url = event:get("responseElements", "functionUrl"),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
