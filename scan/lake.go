package scan

import (
	"time"

	"panther/parsers"
	"panther/parsers/event"
)

// ComplianceTable is the lake table scans write: one row per policy and
// resource checked, so that search answers "when did this bucket become
// public" (SELECT ... FROM compliance WHERE resource_id = ... ORDER BY
// p_event_time).
const ComplianceTable = "compliance"

// ComplianceSchema is its columns. p_event_time is the time the resource
// was in the state checked (the Config capture time, else the scan time);
// scan_time is when the scan ran; source is the input that described it.
var ComplianceSchema = []parsers.Column{
	{Name: "p_event_time", Type: "timestamp", Description: "when the resource was in this state (AWS Config capture time, else the scan time)"},
	{Name: "scan_time", Type: "timestamp", Description: "when the scan ran"},
	{Name: "policy_id", Type: "string"},
	{Name: "status", Type: "string", Description: "pass, fail, error or suppressed"},
	{Name: "severity", Type: "string"},
	{Name: "resource_id", Type: "string"},
	{Name: "resource_type", Type: "string"},
	{Name: "account_id", Type: "string"},
	{Name: "region", Type: "string"},
	{Name: "title", Type: "string", Description: "the alert title of a failure"},
	{Name: "dedup", Type: "string", Description: "the alert dedup of a failure"},
	{Name: "error", Type: "string"},
	{Name: "source", Type: "string", Description: "the input (snapshot file, plan) that described the resource"},
	{Name: "source_format", Type: "string", Description: "aws-config, aws-cli, terraform-plan, panther, derived"},
	{Name: "item", Type: "string", Description: "where in the input"},
	{Name: "address", Type: "string", Description: "the Terraform resource address"},
	{Name: event.FieldSourceFile, Type: "string", Description: "the input, for the lake's exactly-once ledger (empty for derived resources)"},
}

// LakeWriter is what LakeSink needs of the lake (lake.Writer, adapted).
type LakeWriter interface {
	// HasSource reports whether an input with this digest is in the lake.
	HasSource(digest string) bool
	WriteRow(table string, schema []parsers.Column, t time.Time, row []byte) error
	// SourceDone records an input whose rows are all written.
	SourceDone(file, digest string, rows int64) error
}

// LakeSink writes results as rows of the compliance table. An input
// already in the lake (same content digest, see ReadOptions.Digests) is not
// written again; derived resources (the *.Meta types) are written every
// scan.
type LakeSink struct {
	w        LakeWriter
	scanTime time.Time
	seen     map[string]bool // digest -> already in the lake
	sources  map[string]*lakeSource
	order    []string
	// Rows and Skipped count rows written and results of inputs already
	// in the lake.
	Rows, Skipped int64
	buf           []byte
}

type lakeSource struct {
	digest string
	rows   int64
}

// NewLakeSink writes to w; scanTime is the scan_time of every row.
func NewLakeSink(w LakeWriter, scanTime time.Time) *LakeSink {
	return &LakeSink{w: w, scanTime: scanTime.UTC(), seen: map[string]bool{}, sources: map[string]*lakeSource{}}
}

// Add writes the rows of one resource.
func (l *LakeSink) Add(ev Evaluated) error {
	r := ev.Resource
	srcFile := ""
	if r.Digest != "" {
		in, ok := l.seen[r.Digest]
		if !ok {
			in = l.w.HasSource(r.Digest)
			l.seen[r.Digest] = in
		}
		if in {
			l.Skipped += int64(len(ev.Results) + len(ev.Suppressed))
			return nil
		}
		srcFile = r.Source
		if _, ok := l.sources[srcFile]; !ok {
			l.sources[srcFile] = &lakeSource{digest: r.Digest}
			l.order = append(l.order, srcFile)
		}
	}
	write := func(policy, status, severity, title, dedup, errText string) error {
		b := l.buf[:0]
		b = append(b, '{')
		kv := func(k, v string) {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = event.AppendString(b, k)
			b = append(b, ':')
			b = event.AppendString(b, v)
		}
		kv("p_event_time", r.Time.UTC().Format(time.RFC3339Nano))
		kv("scan_time", l.scanTime.Format(time.RFC3339Nano))
		kv("policy_id", policy)
		kv("status", status)
		kv("severity", severity)
		kv("resource_id", r.ID)
		kv("resource_type", r.Type)
		kv("account_id", r.Account)
		kv("region", r.Region)
		kv("title", title)
		kv("dedup", dedup)
		kv("error", errText)
		kv("source", r.Source)
		kv("source_format", r.Format)
		kv("item", r.Item)
		kv("address", r.Address)
		kv(event.FieldSourceFile, srcFile)
		b = append(b, '}')
		l.buf = b
		if err := l.w.WriteRow(ComplianceTable, ComplianceSchema, r.Time, b); err != nil {
			return err
		}
		l.Rows++
		if s := l.sources[srcFile]; s != nil {
			s.rows++
		}
		return nil
	}
	for _, res := range ev.Results {
		if err := write(res.Policy.ID, res.Status.String(), res.Severity, res.Title, res.Dedup, res.Err); err != nil {
			return err
		}
	}
	for _, d := range ev.Suppressed {
		if err := write(d.ID, "suppressed", d.Severity, "", "", ""); err != nil {
			return err
		}
	}
	return nil
}

// Finish records every input written; call it before closing the lake.
func (l *LakeSink) Finish() error {
	for _, f := range l.order {
		s := l.sources[f]
		if err := l.w.SourceDone(f, s.digest, s.rows); err != nil {
			return err
		}
	}
	return nil
}
