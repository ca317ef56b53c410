local aws = require("aws")

function actor_user(event)
  return aws.actor(event)
end

-- sourceIPAddress holds an address, or the name of the AWS service that
-- made the call ("ec2.amazonaws.com"): only addresses are source_ip.
function source_ip(event)
  local ip = event.sourceIPAddress
  if ip ~= nil and net.is_ip(ip) then
    return ip
  end
  return nil
end

-- The IAM user an IAM call acts on (CreateAccessKey, CreateLoginProfile,
-- AttachUserPolicy, ...), when it is not the caller.
function target_user(event)
  return event:get("requestParameters", "userName")
end
