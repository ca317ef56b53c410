local osquery = require("osquery")

function hostname(event)
  return osquery.host(event)
end
