package logtypes_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"panther/lake"
	"panther/parsers"
	"panther/parsers/classifier"
	"panther/parsers/logtypes"
	"panther/parsers/parsertest"
)

// Every declared type's fixture goes into a Parquet lake and reads back
// with DuckDB: its schema compiles to a table, every event is a row, and
// no value of a declared top-level column lands in p_extra (where values
// that do not fit their declared type go) — the declared types fit what
// the vendors write.
func TestDeclaredLake(t *testing.T) {
	t.Parallel()
	types, err := logtypes.Declared()
	if err != nil {
		t.Fatal(err)
	}
	reg := logtypes.Default()
	dir := t.TempDir()
	w, err := lake.Open(context.Background(), dir, reg, lake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, lt := range types {
		c := classifier.NewFixed(reg, lt)
		for i, rec := range parsertest.SeedLines(t, filepath.Join("testdata", lt.Name+".jsonl")) {
			e, _, err := c.Classify(rec)
			if err != nil {
				t.Fatalf("%s:%d: %v", lt.Name, i+1, err)
			}
			if e == nil {
				continue // a header
			}
			if err := reg.Normalise(lt, e, parsers.Source{File: lt.Name}, int64(i+1), parsertest.ParseTime); err != nil {
				t.Fatalf("%s:%d: %v", lt.Name, i+1, err)
			}
			if err := w.WriteEvent(e); err != nil {
				t.Fatalf("%s:%d: %v", lt.Name, i+1, err)
			}
			want[lt.Table()]++
			e.Release()
		}
		if err := w.SourceDone(lake.SourceInfo{File: lt.Name, Digest: fmt.Sprintf("%064x", i0(lt.Name))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, lt := range types {
		glob := filepath.Join(dir, "logs", lt.Table(), "*", "*", "*", "*", "*.parquet")
		from := fmt.Sprintf("read_parquet('%s', hive_partitioning=true, union_by_name=true)", strings.ReplaceAll(glob, "'", "''"))
		rows, err := db.Query("SELECT CAST(p_extra AS VARCHAR) FROM " + from)
		if err != nil {
			t.Errorf("%s: %v", lt.Name, err)
			continue
		}
		declared := map[string]*parsers.Type{}
		for _, c := range lt.Schema {
			typ, err := parsers.ParseType(c.Type)
			if err != nil {
				t.Fatal(err)
			}
			declared[c.Name] = typ
		}
		n := 0
		for rows.Next() {
			n++
			var extra sql.NullString
			if err := rows.Scan(&extra); err != nil {
				t.Fatal(err)
			}
			if !extra.Valid {
				continue
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(extra.String), &fields); err != nil {
				t.Fatalf("%s: p_extra %q: %v", lt.Name, extra.String, err)
			}
			for k, v := range fields {
				if typ := declared[k]; typ != nil {
					misfits(t, lt.Name, k, typ, v)
				}
			}
		}
		rows.Close()
		if n != want[lt.Table()] {
			t.Errorf("%s: %d rows in the lake, %d events written", lt.Name, n, want[lt.Table()])
		}
	}
}

// i0 is a stand-in digest of a name (any distinct value will do here).
func i0(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// misfits reports the values of p_extra that a declared field should
// have held: p_extra keeps, under the column's path, the members of a
// struct it does not declare (fine) and the values that do not fit their
// declared type (a schema that does not fit the data).
func misfits(t *testing.T, logType, path string, typ *parsers.Type, extra any) {
	obj, isObj := extra.(map[string]any)
	if typ.Kind != "struct" || !isObj {
		t.Errorf("%s: the value of %s does not fit its type %s: %v", logType, path, typ.Kind, extra)
		return
	}
	for k, v := range obj {
		for _, f := range typ.Fields {
			if f.Name == k {
				misfits(t, logType, path+"."+k, f.Type, v)
			}
		}
	}
}
