local aws = require("aws")

local SETTINGS = { "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets" }
local DELETE = { DeleteBucketPublicAccessBlock = "bucket", DeleteAccountPublicAccessBlock = "account" }
local PUT = { PutBucketPublicAccessBlock = "bucket", PutAccountPublicAccessBlock = "account" }
-- Both, for the opening test (checked in Go: most S3 calls stop there).
local CALLS = { DeleteBucketPublicAccessBlock = true, DeleteAccountPublicAccessBlock = true,
  PutBucketPublicAccessBlock = true, PutAccountPublicAccessBlock = true }

-- scope ("bucket" or "account") and what was turned off, or nil.
local function removed(event)
  local name = event.eventName
  if DELETE[name] then
    return DELETE[name], "configuration deleted"
  end
  if PUT[name] then
    local cfg = event:get("requestParameters", "PublicAccessBlockConfiguration")
    if cfg == nil then
      return nil
    end
    local off = {}
    for _, s in ipairs(SETTINGS) do
      -- Booleans in CloudTrail; "false" strings in some exports.
      local v = cfg[s]
      if v == false or v == "false" then
        table.insert(off, s)
      end
    end
    if #off > 0 then
      return PUT[name], table.concat(off, ", ")
    end
  end
  return nil
end

function rule(event)
  if event.eventSource ~= "s3.amazonaws.com" or not CALLS[event.eventName] or aws.failed(event) then
    return false
  end
  return removed(event) ~= nil
end

local function target(event)
  local scope = removed(event)
  if scope == "account" then
    return "account " .. aws.account(event)
  end
  return "bucket " .. (event:get("requestParameters", "bucketName") or "?")
end

function title(event)
  local _, what = removed(event)
  return string.format("S3 Block Public Access turned off for %s by %s (%s)",
    target(event), aws.actor(event), what)
end

function dedup(event)
  return aws.account(event) .. ":" .. target(event)
end

-- The account-level setting protects every bucket at once.
function severity(event)
  if removed(event) == "account" then
    return "High"
  end
  if aws.public_buckets[event:get("requestParameters", "bucketName") or ""] then
    return "Low"
  end
  return "DEFAULT"
end

function alert_context(event)
  local scope, what = removed(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    scope = scope,
    bucket = event:get("requestParameters", "bucketName"),
    turned_off = what,
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
