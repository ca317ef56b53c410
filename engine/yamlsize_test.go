package engine

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestYAMLAliasBombRefused(t *testing.T) {
	// The bomb in a test's Log, in a mock's returnValue, and in a key that
	// is decoded into the spec struct.
	bomb := func(where string) string {
		var b strings.Builder
		b.WriteString("AnalysisType: rule\nRuleID: Bomb\nFilename: bomb.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\n")
		b.WriteString("Tests:\n  - Name: boom\n    ExpectedResult: true\n")
		b.WriteString("    Log:\n      a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
		for i := 1; i <= 9; i++ {
			refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", ")
			fmt.Fprintf(&b, "      a%d: &a%d [%s]\n", i, i, refs)
		}
		switch where {
		case "mock":
			b.WriteString("    Mocks:\n      - objectName: x\n        returnValue: *a9\n")
		case "tags":
			b.WriteString("Tags: *a9\n")
		}
		return b.String()
	}
	for _, where := range []string{"log", "mock", "tags"} {
		dir := tree(t, with(map[string]string{
			"bomb/bomb.yml": bomb(where),
			"bomb/bomb.lua": `function rule(e) return true end`,
		}))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		set := load(t, dir)
		runtime.ReadMemStats(&after)
		if _, ok := set.Detection("Good.Rule"); !ok {
			t.Errorf("%s: the good rule did not load", where)
		}
		found := false
		for _, d := range set.Diagnostics {
			if strings.HasSuffix(d.File, "bomb.yml") && d.Line > 0 && strings.Contains(d.Message, "aliases expanded") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no diagnostic naming the alias bomb's file and line: %v", where, set.Diagnostics)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 256<<20 {
			t.Errorf("%s: loading allocated %d MiB", where, got>>20)
		}
	}
}

func TestYAMLSizeLimits(t *testing.T) {
	big := "AnalysisType: rule\nRuleID: Big\nFilename: big.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: Low\nDescription: " +
		strings.Repeat("x", MaxSpecBytes) + "\n"
	dir := tree(t, with(map[string]string{"big/big.yml": big, "big/big.lua": `function rule(e) return true end`}))
	set := load(t, dir)
	found := false
	for _, d := range set.Diagnostics {
		if strings.HasSuffix(d.File, "big.yml") && strings.Contains(d.Message, "more than the limit") {
			found = true
		}
	}
	if _, ok := set.Detection("Good.Rule"); !found || !ok {
		t.Errorf("want the big file refused by its size: %v", set.Diagnostics)
	}
	// Per load: many files each under the limit, over it together.
	b := newLoadBudget()
	b.left.Store(100)
	if !b.take(60) || b.take(60) {
		t.Error("the load budget does not add up")
	}
}
