local compliance = require("compliance")

function policy(resource)
  local cr = resource.CredentialReport
  if cr == nil or cr.PasswordEnabled ~= true then
    return true
  end
  return cr.MfaActive == true
end

function title(resource)
  return string.format("IAM user %s can sign in with a password and no MFA", compliance.name(resource))
end
