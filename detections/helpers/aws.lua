-- Helpers shared by the AWS detections. require("aws") returns this table.
--
-- The tables in the "Known good" section below are data: they are the place
-- to tell the shipped AWS detections about your own organisation (your other
-- accounts, buckets that are public on purpose, bastion hosts). Edit them in
-- your fork of the detections, or mock them in a test
-- (Mocks: [{objectName: aws.trusted_accounts, returnValue: {...}}]).
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- trusted_accounts: AWS account IDs outside the event's own account that may
-- legitimately assume your roles, receive your snapshots or own the KMS keys
-- of your buckets (your other organisation accounts, a backup account, a
-- vendor such as your SIEM). Keys are 12-digit account IDs as strings.
M.trusted_accounts = {}

-- public_buckets: buckets that are public on purpose (static websites,
-- public downloads). Anonymous reads of these are expected.
M.public_buckets = {}

-- admin_sources_allowed: CIDRs from which SSH/RDP into a VPC is expected
-- (bastion hosts, the office egress address). VPC Flow rules skip them.
M.admin_sources_allowed = {}

-- egress_destinations_allowed: CIDRs that may receive large transfers from
-- the VPC (your other sites, backup providers, partners' endpoints).
M.egress_destinations_allowed = {}

-- large_transfer_bytes: bytes in one flow record (one aggregation interval,
-- 1 or 10 minutes) above which an outbound transfer is raised.
M.large_transfer_bytes = 1024 * 1024 * 1024

-- password_policy_baseline: the weakest account password policy you accept
-- (CIS AWS Foundations: 14 characters, the last 24 passwords not reused).
M.password_policy_baseline = { minimum_length = 14, reuse_prevention = 24 }

---------------------------------------------------------------------------
-- Reference data (AWS facts; change only to follow AWS)
---------------------------------------------------------------------------

-- AWS managed policies that are administrator-equivalent: full access to
-- everything, or full IAM (which grants itself everything).
M.admin_managed_policies = {
  ["arn:aws:iam::aws:policy/AdministratorAccess"] = true,
  ["arn:aws:iam::aws:policy/IAMFullAccess"] = true,
  ["arn:aws:iam::aws:policy/AWSOrganizationsFullAccess"] = true,
}

-- Ports of administration and data services that should never be reachable
-- from the whole internet (port -> name).
M.sensitive_ports = {
  [22] = "SSH", [23] = "Telnet", [135] = "MSRPC", [139] = "NetBIOS", [445] = "SMB",
  [1433] = "MSSQL", [1521] = "Oracle", [2049] = "NFS", [2375] = "Docker API",
  [2376] = "Docker API (TLS)", [3306] = "MySQL", [3389] = "RDP", [5432] = "PostgreSQL",
  [5900] = "VNC", [5985] = "WinRM", [5986] = "WinRM (TLS)", [6379] = "Redis",
  [6443] = "Kubernetes API", [9200] = "Elasticsearch", [9300] = "Elasticsearch",
  [10250] = "kubelet", [11211] = "memcached", [27017] = "MongoDB",
}

-- Condition keys that narrow who a resource policy's wildcard principal is
-- (an account, an organisation, a VPC, a source address or ARN). A "*"
-- principal with one of them is not public.
local RESTRICTING_KEYS = {
  ["aws:sourceaccount"] = true, ["aws:sourcearn"] = true, ["aws:sourceowner"] = true,
  ["aws:sourcevpc"] = true, ["aws:sourcevpce"] = true, ["aws:sourceip"] = true,
  ["aws:sourceorgid"] = true, ["aws:sourceorgpaths"] = true,
  ["aws:principalaccount"] = true, ["aws:principalarn"] = true, ["aws:principalorgid"] = true,
  ["aws:principalorgpaths"] = true, ["aws:userid"] = true, ["aws:username"] = true,
  ["aws:principalservicename"] = true,
  ["kms:calleraccount"] = true, ["kms:viaservice"] = true,
}

---------------------------------------------------------------------------
-- Who did it
---------------------------------------------------------------------------

-- actor returns a readable name for the principal of a CloudTrail event:
-- the user name, the role session ("role/session"), "root", or the ARN.
function M.actor(event)
  local id = event.userIdentity
  if id == nil then
    return "unknown"
  end
  local t = id.type
  if t == "Root" then
    return "root"
  end
  if t == "IAMUser" and id.userName then
    return id.userName
  end
  if t == "AssumedRole" then
    local issuer = event:get("userIdentity", "sessionContext", "sessionIssuer", "userName")
    local arn = id.arn or ""
    local session = arn:match("/([^/]+)$")
    if issuer and session then
      return issuer .. "/" .. session
    end
  end
  if t == "AWSService" then
    return id.invokedBy or "aws-service"
  end
  if t == "AWSAccount" and id.accountId then
    return "account " .. id.accountId
  end
  return id.arn or id.principalId or "unknown"
end

-- failed reports whether the API call was refused or errored.
function M.failed(event)
  return event.errorCode ~= nil and event.errorCode ~= ""
end

-- by_aws_service reports calls that AWS made on the account's behalf.
function M.by_aws_service(event)
  local id = event.userIdentity
  return id ~= nil and (id.type == "AWSService" or id.invokedBy ~= nil)
end

-- account is the account the event happened in.
function M.account(event)
  return event.recipientAccountId or event:get("userIdentity", "accountId") or "unknown"
end

-- account_region is "account:region", the dedup of a rule about a
-- service that is switched on and off per account and region (Config,
-- GuardDuty, flow logs).
function M.account_region(event)
  return M.account(event) .. ":" .. (event.awsRegion or "?")
end

-- caller_user is the IAM user name of an IAMUser caller, else nil.
function M.caller_user(event)
  if event:get("userIdentity", "type") == "IAMUser" then
    return event:get("userIdentity", "userName")
  end
  return nil
end

-- mfa_user is the user whose MFA device an Enable/DeactivateMFADevice call
-- is about: "root" for the root device, else the request's userName (a
-- user managing their own device may leave it out: the caller). One
-- function, so that AWS.IAM.MFADeviceDeactivated and
-- AWS.IAM.MFADeviceEnabled name the same user and their matches join.
function M.mfa_user(event)
  local serial = event:get("requestParameters", "serialNumber") or ""
  if serial:match(":mfa/root%-account%-mfa%-device$")
    or (event:get("userIdentity", "type") == "Root" and event:get("requestParameters", "userName") == nil) then
    return "root"
  end
  return event:get("requestParameters", "userName") or M.caller_user(event) or "unknown"
end

-- instance_session returns the EC2 instance ID when the caller used the
-- temporary credentials of an EC2 instance profile (the session AWS names
-- after the instance), else nil.
function M.instance_session(event)
  local id = event.userIdentity
  if id == nil or id.type ~= "AssumedRole" then
    return nil
  end
  local session = (id.principalId or ""):match(":(i%-%x+)$") or (id.arn or ""):match("/(i%-%x+)$")
  return session
end

-- is_trusted_account: the account is the event's own one or listed in
-- trusted_accounts.
function M.is_trusted_account(event, account_id)
  if account_id == nil then
    return false
  end
  account_id = tostring(account_id)
  return account_id == M.account(event) or M.trusted_accounts[account_id] == true
end

---------------------------------------------------------------------------
-- JSON shapes
---------------------------------------------------------------------------

-- list turns a JSON value that may be one item or an array of them (as in
-- IAM policies: "Action": "s3:*" or ["s3:*", ...]) into an array.
function M.list(v)
  if v == nil then
    return {}
  end
  if type(v) ~= "table" then
    return { v }
  end
  if v[1] ~= nil or #v > 0 then
    return v
  end
  return { v }
end

-- policy decodes a policy document given either as a JSON string (IAM) or
-- as an object (S3 bucketPolicy). Returns nil when it is neither.
function M.policy(doc)
  if type(doc) == "string" then
    local ok, v = pcall(json.decode, doc)
    if ok and type(v) == "table" then
      return v
    end
    return nil
  end
  if type(doc) == "table" then
    return doc
  end
  return nil
end

local function any_is(values, wanted)
  for _, v in ipairs(M.list(values)) do
    if type(v) == "string" and wanted[v:lower()] then
      return true
    end
  end
  return false
end

local ADMIN_ACTIONS = { ["*"] = true, ["*:*"] = true, ["iam:*"] = true }
local ANY_RESOURCE = { ["*"] = true }

-- grants_admin reports whether a policy document allows every action (or
-- all of IAM) on every resource — administrator-equivalent.
function M.grants_admin(doc)
  local p = M.policy(doc)
  if p == nil then
    return false
  end
  for _, s in ipairs(M.list(p.Statement)) do
    if type(s) == "table" and s.Effect == "Allow" and any_is(s.Resource, ANY_RESOURCE) then
      if any_is(s.Action, ADMIN_ACTIONS) then
        return true
      end
      -- Allow NotAction [a few] on * grants everything else.
      if s.NotAction ~= nil then
        return true
      end
    end
  end
  return false
end

local function restricted(condition)
  if type(condition) ~= "table" then
    return false
  end
  for _, keys in pairs(condition) do
    if type(keys) == "table" then
      for key, _ in pairs(keys) do
        if type(key) == "string" and RESTRICTING_KEYS[key:lower()] then
          return true
        end
      end
    end
  end
  return false
end

local function wildcard_principal(principal)
  if principal == "*" then
    return true
  end
  if type(principal) == "table" then
    return any_is(principal.AWS, ANY_RESOURCE) or any_is(principal.CanonicalUser, ANY_RESOURCE)
  end
  return false
end

-- public_statement returns the first Allow statement of a resource policy
-- that any AWS principal may use: principal "*" (or {"AWS": "*"}) and no
-- condition narrowing it to an account, organisation, network or source.
-- nil when there is none.
function M.public_statement(doc)
  local p = M.policy(doc)
  if p == nil then
    return nil
  end
  for _, s in ipairs(M.list(p.Statement)) do
    if type(s) == "table" and s.Effect == "Allow" and wildcard_principal(s.Principal)
      and not restricted(s.Condition) then
      return s
    end
  end
  return nil
end

-- principal_accounts lists the account IDs named by the AWS principals of a
-- policy's Allow statements ("123456789012", "arn:aws:iam::123456789012:root"
-- or a role/user ARN), and whether a wildcard principal appears.
function M.principal_accounts(doc)
  local p = M.policy(doc)
  local accounts, wildcard = {}, false
  if p == nil then
    return accounts, wildcard
  end
  for _, s in ipairs(M.list(p.Statement)) do
    if type(s) == "table" and s.Effect == "Allow" then
      if wildcard_principal(s.Principal) and not restricted(s.Condition) then
        wildcard = true
      end
      if type(s.Principal) == "table" then
        for _, a in ipairs(M.list(s.Principal.AWS)) do
          if type(a) == "string" then
            local id = a:match("^(%d%d%d%d%d%d%d%d%d%d%d%d)$") or a:match("^arn:aws[%w-]*:iam::(%d+):")
            if id then
              table.insert(accounts, id)
            end
          end
        end
      end
    end
  end
  return accounts, wildcard
end

return M
