package replay_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/engine/replay"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

// TestLazyLuaReplaysTheSame: the shipped detections loaded with LazyLua
// and SkipTests (panther replay's load: each Lua file compiled when a
// worker first needs it, the specs' Tests unread) give a replay on four workers the same matches, rule errors
// and alerts per detection as the strict load.
func TestLazyLuaReplaysTheSame(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := enginetest.WebLog(f, 4000, 3, 2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := enginetest.AuthLog(dir, 2000, 2); err != nil {
		t.Fatal(err)
	}
	srcs, errs := input.Expand([]string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	run := func(lazy bool) string {
		set := engine.Load([]engine.Source{{FS: detections.FS, Root: ".", Display: "detections"}},
			engine.LoadOptions{Registry: logtypes.Default(), LazyLua: lazy, SkipTests: lazy})
		if set.Diagnostics.Errors() > 0 {
			t.Fatal(set.Diagnostics)
		}
		st, err := replay.Run(context.Background(), replay.Options{Sources: srcs, Set: set, Workers: 4, ProfileRules: true})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, p := range st.Profile {
			out[p.ID] = fmt.Sprintf("events %d calls %d matches %d errors %d", p.Events, p.Calls(), p.Matches, p.Errors)
		}
		return fmt.Sprintf("%v\nalerts %d %v\nerrors %v", out, st.Alerts, st.AlertsPerRule, st.ErrorsPerRule)
	}
	strict, lazy := run(false), run(true)
	if strict != lazy {
		t.Errorf("strict load:\n%s\nlazy load:\n%s", strict, lazy)
	}
	if testing.Verbose() {
		t.Log(lazy)
	}
}
