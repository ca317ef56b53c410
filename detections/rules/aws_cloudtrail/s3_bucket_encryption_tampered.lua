local aws = require("aws")

-- The KMS key of a PutBucketEncryption call, if any.
local function kms_key(event)
  local rules = event:get("requestParameters", "ServerSideEncryptionConfiguration", "Rule")
  for _, r in ipairs(aws.list(rules)) do
    local key = r:get("ApplyServerSideEncryptionByDefault", "KMSMasterKeyID")
    if key then
      return key
    end
  end
  return nil
end

-- The account of a key given as an ARN; key IDs and aliases without an ARN
-- are in the caller's account.
local function key_account(key)
  return key and key:match("^arn:aws[%w-]*:kms:[^:]*:(%d+):")
end

local function change(event)
  if event.eventName == "DeleteBucketEncryption" then
    return "default encryption removed"
  end
  if event.eventName == "PutBucketEncryption" then
    local acct = key_account(kms_key(event))
    if acct and not aws.is_trusted_account(event, acct) then
      return "encrypted with a KMS key of account " .. acct
    end
  end
  return nil
end

function rule(event)
  if event.eventSource ~= "s3.amazonaws.com"
    or (event.eventName ~= "DeleteBucketEncryption" and event.eventName ~= "PutBucketEncryption") or aws.failed(event) then
    return false
  end
  return change(event) ~= nil
end

local function bucket(event)
  return event:get("requestParameters", "bucketName") or "?"
end

function title(event)
  return string.format("S3 bucket %s %s by %s in %s",
    bucket(event), change(event), aws.actor(event), aws.account(event))
end

function dedup(event)
  return aws.account(event) .. ":" .. bucket(event)
end

-- A foreign key lets its owner decide who can read new objects: the
-- ransomware pattern.
function severity(event)
  if event.eventName == "PutBucketEncryption" then
    return "High"
  end
  return "DEFAULT"
end

function alert_context(event)
  return {
    actor = aws.actor(event),
    actor_arn = event:get("userIdentity", "arn"),
    account = aws.account(event),
    bucket = bucket(event),
    change = change(event),
    kms_key = kms_key(event),
    source_ip = event.sourceIPAddress,
    user_agent = event.userAgent,
  }
end
