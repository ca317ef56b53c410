local compliance = require("compliance")

function policy(resource)
  local cr = resource.CredentialReport
  return cr == nil or not (cr.AccessKey1Active == true and cr.AccessKey2Active == true)
end

function title(resource)
  return string.format("IAM user %s has two active access keys", compliance.name(resource))
end
