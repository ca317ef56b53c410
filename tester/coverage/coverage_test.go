package coverage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"panther/engine"
	"panther/engine/luavm"
)

func files() []engine.FileCoverage {
	return []engine.FileCoverage{
		{LineCoverage: luavm.LineCoverage{File: "rules/a.lua", Lines: []int{1, 2, 4}, Hits: []uint64{1, 3, 0}}, IDs: []string{"A"}, Kind: "rule"},
		{LineCoverage: luavm.LineCoverage{File: "helpers/h.lua", Lines: []int{1}, Hits: []uint64{5}}, IDs: []string{"h"}, Kind: "global"},
	}
}

func TestReports(t *testing.T) {
	var b bytes.Buffer
	if err := LCOV(&b, files()); err != nil {
		t.Fatal(err)
	}
	want := "TN:\nSF:rules/a.lua\nDA:1,1\nDA:2,3\nDA:4,0\nLF:3\nLH:2\nend_of_record\nTN:\nSF:helpers/h.lua\nDA:1,5\nLF:1\nLH:1\nend_of_record\n"
	if b.String() != want {
		t.Errorf("lcov:\n%s", b.String())
	}
	b.Reset()
	if err := JSON(&b, files()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct {
			File      string
			Uncovered []int
			Percent   float64
		}
		Total struct{ Lines, Covered int }
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Total.Lines != 4 || doc.Total.Covered != 3 || doc.Files[0].Percent != 66.7 || len(doc.Files[0].Uncovered) != 1 || doc.Files[0].Uncovered[0] != 4 {
		t.Errorf("json: %s", b.String())
	}
	b.Reset()
	if err := Table(&b, files()); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"rules/a.lua        2/3   66.7%  A\n", "total              3/4   75.0%  (2 files)\n"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, b.String())
		}
	}
	b.Reset()
	if err := Listing(&b, files()[0], []byte("one\ntwo\nthree\nfour\n")); err != nil {
		t.Fatal(err)
	}
	want = "rules/a.lua: 2 of 3 lines covered (66.7%)\n        1:    1: one\n        3:    2: two\n        -:    3: three\n    #####:    4: four\n"
	if b.String() != want {
		t.Errorf("listing:\n%s", b.String())
	}
	if p := (Totals{}).Percent(); p != 100 {
		t.Errorf("empty: %v", p)
	}
}
