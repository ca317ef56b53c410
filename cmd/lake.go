package cmd

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"panther/engine/replay"
	"panther/lake"
	"panther/parsers"
	"panther/parsers/event"
)

// lakeWriter adapts lake's writer to the replay pipeline.
type lakeWriter struct {
	w     *lake.Writer
	label string
}

func openLake(ctx context.Context, dir string, reg *parsers.Registry, now func() time.Time) (*lakeWriter, error) {
	w, err := lake.Open(ctx, dir, reg, lake.Options{Now: now})
	if err != nil {
		return nil, err
	}
	return &lakeWriter{w: w}, nil
}

func (l *lakeWriter) HasSource(digest string) bool { return l.w.HasSource(digest) }
func (l *lakeWriter) NewBatch() replay.LakeBatch   { return l.w.NewBatch() }
func (l *lakeWriter) WriteBatch(b replay.LakeBatch) error {
	return l.w.WriteBatch(b.(*lake.Batch))
}
func (l *lakeWriter) WriteEvent(e *event.Event) error { return l.w.WriteEvent(e) }
func (l *lakeWriter) WriteValues(table string, schema []parsers.Column, t time.Time, row []lake.Value) error {
	return l.w.WriteValues(table, schema, t, row)
}
func (l *lakeWriter) WriteValuesOnce(table, key string, schema []parsers.Column, t time.Time, row []lake.Value) error {
	_, err := l.w.WriteValuesOnce(table, key, schema, t, row)
	return err
}
func (l *lakeWriter) SourceDone(path, digest string, events int64, failed bool) error {
	return l.w.SourceDone(lake.SourceInfo{Digest: digest, File: path, Label: l.label, Failed: failed})
}

// finish closes the lake after a run (or aborts it after a failed one) and
// says what was written.
func (l *lakeWriter) finish(runErr error) (string, error) {
	if runErr != nil {
		l.w.Abort()
		return "", runErr
	}
	if err := l.w.Close(); err != nil {
		return "", fmt.Errorf("lake: %w", err)
	}
	return l.summary(), nil
}

func (l *lakeWriter) summary() string {
	st := l.w.Stats()
	names := make([]string, 0, len(st.Tables))
	for k := range st.Tables {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		t := st.Tables[n]
		parts = append(parts, fmt.Sprintf("%s %d rows in %d files", n, t.CommittedRows, t.Files))
	}
	if len(parts) == 0 {
		return "nothing new"
	}
	return strings.Join(parts, ", ")
}
