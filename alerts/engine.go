package alerts

import (
	"encoding/json"

	"panther/engine"
)

// FromEngine turns an alert of the engine (a replay's, or the live
// pipeline's) into what RaiseDetection takes. det is the detection that
// raised it (nil: its dedup period is taken as the default); packVersion
// says which pack version ran it ("PackID@3", or "" for a folder).
func FromEngine(a *engine.Alert, det *engine.Detection, packVersion string) DetectionAlert {
	d := DetectionAlert{
		GroupID: a.ID, RuleID: a.RuleID, PackVersion: packVersion, Title: a.Title, Dedup: a.Dedup,
		EventCount: int64(a.EventCount), FirstEvent: a.FirstEvent, LastEvent: a.LastEvent, LogTypes: a.LogTypes,
		AlertContext: json.RawMessage(a.AlertContext), Description: a.Description, Runbook: a.Runbook, Reference: a.Reference,
	}
	d.Severity, _ = ParseSeverity(a.Severity)
	if det != nil {
		d.DedupPeriod = det.DedupPeriod
	}
	for _, s := range a.Samples {
		d.Samples = append(d.Samples, json.RawMessage(s))
	}
	if a.Destinations != nil {
		d.Destinations, d.DestinationsSet = a.Destinations, true
	}
	return d
}
