local microsoft = require("microsoft")

local DOWNLOADS = {FileDownloaded = true, FileSyncDownloadedFull = true}

function rule(event)
  return DOWNLOADS[event.Operation] == true
end

function title(event)
  return "Mass download from SharePoint and OneDrive by " .. microsoft.user(event)
end

function dedup(event)
  return string.lower(microsoft.user(event))
end

function alert_context(event)
  local ctx = microsoft.context(event)
  ctx.site = event.SiteUrl
  ctx.user_agent = event.UserAgent
  return ctx
end
