-- Helpers shared by the Windows event log detections. require("windows")
-- returns this table.
--
-- Event shape (Windows.EventLogs, Panther's field names): EventID (a
-- number), Channel, Computer, ProviderName, TimeCreated, EventRecordID,
-- and ExtraEventData: the event's own data (SubjectUserName,
-- TargetUserName, IpAddress, Image, CommandLine, ...). The log type moves
-- Winlogbeat's winlog.event_data, NXLog's flat fields and evtx_dump's
-- Event.EventData there, so detections read one shape.
local M = {}

---------------------------------------------------------------------------
-- Known good (customise here)
---------------------------------------------------------------------------

-- lsass_readers: executables (lower-case file names) that open LSASS as
-- part of their job: security products, the system itself.
M.lsass_readers = {
  ["msmpeng.exe"] = true, ["mssense.exe"] = true, ["csfalconservice.exe"] = true,
  ["sentinelagent.exe"] = true, ["wininit.exe"] = true, ["csrss.exe"] = true,
  ["lsm.exe"] = true, ["wmiprvse.exe"] = true, ["svchost.exe"] = true,
  ["taskmgr.exe"] = true, ["procexp64.exe"] = false,
}

---------------------------------------------------------------------------
-- Fields
---------------------------------------------------------------------------

-- id is the event number, whatever its JSON type.
function M.id(event)
  return tonumber(event.EventID)
end

-- data is a field of the event's own data, or nil.
function M.data(event, name)
  local v = event:get("ExtraEventData", name)
  if v == "" or v == "-" then
    return nil
  end
  return v
end

function M.channel(event)
  return event.Channel or ""
end

function M.host(event)
  return event.Computer or "unknown host"
end

function M.is_security(event)
  return M.channel(event) == "Security"
end

function M.is_sysmon(event)
  return string.find(string.lower(M.channel(event)), "sysmon", 1, true) ~= nil
end

-- exe is the lower-case file name of a Windows path ("C:\\x\\Cmd.EXE" ->
-- "cmd.exe"); "" for nil.
function M.exe(path)
  if path == nil then
    return ""
  end
  local name = string.match(path, "([^\\/]+)$") or path
  return string.lower(name)
end

-- process_create tells a process creation event (Security 4688, Sysmon 1)
-- and returns its image, command line and parent image.
function M.process_create(event)
  local id = M.id(event)
  if id == 4688 and M.is_security(event) then
    return true, M.data(event, "NewProcessName") or "", M.data(event, "CommandLine") or "",
      M.data(event, "ParentProcessName") or ""
  end
  if id == 1 and M.is_sysmon(event) then
    return true, M.data(event, "Image") or "", M.data(event, "CommandLine") or "",
      M.data(event, "ParentImage") or ""
  end
  return false, "", "", ""
end

-- user is who acted: the subject of a Security event, Sysmon's User.
function M.user(event)
  local u = M.data(event, "SubjectUserName") or M.data(event, "User") or M.data(event, "SourceUser")
  if u == nil then
    return "unknown user"
  end
  local d = M.data(event, "SubjectDomainName")
  if d ~= nil and not string.find(u, "\\", 1, true) then
    return d .. "\\" .. u
  end
  return u
end

-- context is the alert context every Windows detection shares.
function M.context(event)
  return {
    host = M.host(event),
    event_id = M.id(event),
    channel = M.channel(event),
    user = M.user(event),
  }
end

return M
