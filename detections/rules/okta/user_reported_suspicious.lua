local okta = require("okta")

function rule(event)
  return event.eventType == "user.account.report_suspicious_activity_by_enduser"
end

-- The notifications a user can report from, by the event that sent them.
local REPORTED = {
  ["system.email.new_device_notification.sent_message"] = "sign-in from a new device",
  ["system.email.mfa_enroll_notification.sent_message"] = "MFA factor enrolment",
  ["system.email.mfa_reset_notification.sent_message"] = "MFA factor reset",
  ["system.email.password_reset_notification.sent_message"] = "password reset",
  ["system.email.password_change_notification.sent_message"] = "password change",
}

local function reported(event)
  local t = okta.debug(event, "suspiciousActivityEventType")
  return REPORTED[t or ""] or t or "activity"
end

function title(event)
  local where = okta.debug(event, "suspiciousActivityEventCountry")
  local city = okta.debug(event, "suspiciousActivityEventCity")
  if city and where then
    where = city .. ", " .. where
  end
  if where then
    return string.format("%s reported a suspicious Okta %s (%s)", okta.actor(event), reported(event), where)
  end
  return string.format("%s reported a suspicious Okta %s", okta.actor(event), reported(event))
end

-- One alert per reported event; several reports of one event join it.
function dedup(event)
  return okta.actor(event):lower() .. ":" .. (okta.debug(event, "suspiciousActivityEventId") or "unknown")
end

function alert_context(event)
  local ctx = okta.context(event)
  ctx.reported_event_type = okta.debug(event, "suspiciousActivityEventType")
  ctx.reported_event_id = okta.debug(event, "suspiciousActivityEventId")
  ctx.reported_ip = okta.debug(event, "suspiciousActivityEventIp")
  ctx.reported_city = okta.debug(event, "suspiciousActivityEventCity")
  ctx.reported_country = okta.debug(event, "suspiciousActivityEventCountry")
  ctx.reported_browser = okta.debug(event, "suspiciousActivityBrowser")
  ctx.reported_os = okta.debug(event, "suspiciousActivityOs")
  ctx.reported_time = okta.debug(event, "suspiciousActivityTimestamp")
  return ctx
end
