-- host is the sensor's host name: Panther's top-level Hostname, else the
-- name an event of the host carries (UserLogon's ComputerName).
function host(event)
  return event.Hostname or event:get("event", "Hostname") or event:get("event", "ComputerName")
end
