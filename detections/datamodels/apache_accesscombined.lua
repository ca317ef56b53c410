-- The method lives in the web helper, shared by the three web log types.
local web = require("web")

function source_ip(event)
  return web.source_ip(event)
end
