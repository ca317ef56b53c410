// Package livetest gives the tests of the live service packs in memory, a
// pack source whose active versions a test switches, and readers of the
// lake.
package livetest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	_ "github.com/duckdb/duckdb-go/v2" // database/sql driver

	"panther/engine/live"
)

// Rule is a pack holding one rule over Syslog.RFC5424 events that
// matches events whose appname is app, dedups on hostname and alerts at
// threshold events.
func Rule(packID, ruleID, app string, threshold int) fs.FS {
	return fstest.MapFS{
		"pack.yml": {Data: []byte(fmt.Sprintf("AnalysisType: pack\nPackID: %s\nPackDefinition:\n  IDs: [%s]\n", packID, ruleID))},
		"rule.yml": {Data: []byte(fmt.Sprintf(`AnalysisType: rule
RuleID: %s
Enabled: true
Filename: rule.lua
LogTypes: [Syslog.RFC5424]
Severity: High
Threshold: %d
DedupPeriodMinutes: 10
Tests:
  - Name: match
    ExpectedResult: true
    Log: {appname: %s, hostname: h}
  - Name: other
    ExpectedResult: false
    Log: {appname: other, hostname: h}
`, ruleID, threshold, app))},
		"rule.lua": {Data: []byte(fmt.Sprintf("function rule(e) return e.appname == %q end\nfunction dedup(e) return e.hostname or \"none\" end\n", app))},
	}
}

// Packs is a live.PackSource a test controls.
type Packs struct {
	mu     sync.Mutex
	active map[string]live.PackRef
	fs     map[live.PackRef]fs.FS
}

// NewPacks returns an empty source.
func NewPacks() *Packs {
	return &Packs{active: map[string]live.PackRef{}, fs: map[live.PackRef]fs.FS{}}
}

// Activate makes fsys version v of pack, active.
func (p *Packs) Activate(pack string, v int, fsys fs.FS) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ref := live.PackRef{Pack: pack, Version: v, Digest: fmt.Sprintf("d%d", v)}
	p.fs[ref] = fsys
	p.active[pack] = ref
}

// Active implements live.PackSource.
func (p *Packs) Active(context.Context) ([]live.PackRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []live.PackRef
	for _, r := range p.active {
		out = append(out, r)
	}
	return out, nil
}

// Open implements live.PackSource.
func (p *Packs) Open(_ context.Context, ref live.PackRef) (fs.FS, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.fs[ref]
	if !ok {
		return nil, fmt.Errorf("no pack %s", ref)
	}
	return f, nil
}

// Count runs a count query over a table of the lake in dir ("" where for
// all rows) and returns the count; a lake without the table counts 0.
func Count(t testing.TB, dir, table, expr string) int64 {
	t.Helper()
	glob := filepath.Join(dir, "logs", table, "*", "*", "*", "*", "*.parquet")
	if table == "alerts" || table == "rule_matches" {
		glob = filepath.Join(dir, table, "*", "*", "*", "*", "*.parquet")
	}
	if m, _ := filepath.Glob(glob); len(m) == 0 {
		return 0
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if expr == "" {
		expr = "count(*)"
	}
	var n int64
	q := fmt.Sprintf("SELECT %s FROM read_parquet('%s', union_by_name=true)", expr, glob)
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Strings returns a string column (or expression) of every row of a table.
func Strings(t testing.TB, dir, table, expr string) []string {
	t.Helper()
	glob := filepath.Join(dir, "logs", table, "*", "*", "*", "*", "*.parquet")
	if m, _ := filepath.Glob(glob); len(m) == 0 {
		return nil
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf("SELECT %s FROM read_parquet('%s', union_by_name=true)", expr, glob))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
