local aws = require("aws")

local PUBLIC_GROUPS = {
  ["http://acs.amazonaws.com/groups/global/AllUsers"] = "everyone",
  ["http://acs.amazonaws.com/groups/global/AuthenticatedUsers"] = "any AWS account",
}
local PUBLIC_CANNED = {
  ["public-read"] = "everyone (public-read)",
  ["public-read-write"] = "everyone (public-read-write)",
  ["authenticated-read"] = "any AWS account (authenticated-read)",
}
local GRANT_HEADERS = { "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
  "x-amz-grant-write-acp", "x-amz-grant-full-control" }

-- Whom a PutBucketAcl call opens the bucket to, or nil. ACLs arrive as a
-- canned ACL header, grant headers, or an AccessControlPolicy body.
local function acl_exposure(rp)
  for _, canned in ipairs(aws.list(rp["x-amz-acl"])) do
    if PUBLIC_CANNED[canned] then
      return PUBLIC_CANNED[canned]
    end
  end
  for _, h in ipairs(GRANT_HEADERS) do
    for _, v in ipairs(aws.list(rp[h])) do
      for uri, who in pairs(PUBLIC_GROUPS) do
        if type(v) == "string" and v:find(uri, 1, true) then
          return who .. " (" .. h .. ")"
        end
      end
    end
  end
  local grants = rp:get("AccessControlPolicy", "AccessControlList", "Grant")
  for _, g in ipairs(aws.list(grants)) do
    local who = PUBLIC_GROUPS[g:get("Grantee", "URI") or ""]
    if who then
      return who .. " (" .. (g.Permission or "?") .. ")"
    end
  end
  return nil
end

local function exposure(event)
  local rp = event.requestParameters
  if rp == nil then
    return nil
  end
  if event.eventName == "PutBucketPolicy" then
    local s = aws.public_statement(rp.bucketPolicy)
    if s then
      local actions = {}
      for _, a in ipairs(aws.list(s.Action)) do table.insert(actions, tostring(a)) end
      return "everyone (policy allows " .. table.concat(actions, ",") .. ")"
    end
    return nil
  end
  if event.eventName == "PutBucketAcl" then
    return acl_exposure(rp)
  end
  return nil
end

function rule(event)
  if event.eventName ~= "PutBucketPolicy" and event.eventName ~= "PutBucketAcl" then
    return false
  end
  if event.eventSource ~= "s3.amazonaws.com" or aws.failed(event) then
    return false
  end
  return exposure(event) ~= nil
end

local function bucket(event)
  return event:get("requestParameters", "bucketName") or "?"
end

function title(event)
  return string.format("S3 bucket %s opened to %s by %s in %s",
    bucket(event), exposure(event), aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. bucket(event)
end

-- Buckets that are public on purpose (aws.public_buckets) stay reported,
-- but as Low: a new grant on them is still worth a glance.
function severity(event)
  if aws.public_buckets[bucket(event)] then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    bucket = bucket(event),
    action = event.eventName,
    exposure = exposure(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
