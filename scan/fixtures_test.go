package scan_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"panther/detections"
	"panther/engine"
	"panther/packs"
	"panther/parsers/input"
	"panther/parsers/logtypes"
	"panther/scan"
)

var update = flag.Bool("update", false, "rewrite the fixtures' expected.txt with what the scan gives (read the diff before committing)")

var (
	shippedOnce sync.Once
	shippedSet  *engine.Set
)

// shipped loads the shipped detections, as `panther scan` does with no
// --detections.
func shipped(t testing.TB) *engine.Set {
	shippedOnce.Do(func() {
		shippedSet = engine.Load([]engine.Source{
			{FS: detections.FS, Root: ".", Display: "detections"},
			{FS: packs.FS, Root: ".", Display: "packs"},
		}, engine.LoadOptions{Registry: logtypes.Default(), ResourceTypes: scan.TypeNames()})
	})
	for _, d := range shippedSet.Diagnostics {
		t.Fatalf("shipped detections: %s", d)
	}
	return shippedSet
}

// fixtureOptions is a fixture's options.json: what the command line would
// give.
type fixtureOptions struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

// fixtureNow is the scan time of every fixture: the afternoon of the
// samples' day, so that the policies that count days see fixed ages.
var fixtureNow = time.Date(2026, 11, 10, 14, 0, 0, 0, time.UTC)

// TestFixtures scans each folder of testdata/scan through the real readers
// and the shipped policies, and compares every check (pass, fail, error)
// with the folder's expected.txt. go test ./scan -run Fixtures -update
// rewrites them.
func TestFixtures(t *testing.T) {
	set := shipped(t)
	dirs, err := filepath.Glob("../testdata/scan/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var opts fixtureOptions
			if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
				dec := json.NewDecoder(strings.NewReader(string(b)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&opts); err != nil {
					t.Fatalf("options.json: %v", err)
				}
			}
			// The inputs are the folder inputs/, or a Terraform plan.json
			// beside the .tf files it was made from.
			inputs := []string{filepath.Join(dir, "inputs")}
			if _, err := os.Stat(inputs[0]); err != nil {
				inputs = []string{filepath.Join(dir, "plan.json")}
			}
			got := scanLines(t, set, inputs, opts)
			want := filepath.Join(dir, "expected.txt")
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(b) != got {
				t.Errorf("%s differs from the scan:\n%s", want, lineDiff(string(b), got))
			}
		})
	}
}

// scanLines runs a scan and writes one line per check, in input order, and
// the input problems.
func scanLines(t *testing.T, set *engine.Set, inputs []string, opts fixtureOptions) string {
	var b strings.Builder
	var problems []string
	rd := scan.NewReader(scan.ReadOptions{Account: opts.Account, Region: opts.Region, Now: func() time.Time { return fixtureNow },
		OnError: func(err error) { problems = append(problems, err.Error()) }})
	sc := scan.NewScanner(set, scan.Options{Workers: 2})
	srcs, errs := input.Expand(inputs)
	for _, e := range errs {
		t.Fatal(e)
	}
	err := sc.Run(context.Background(), func(feed scan.Emit) error {
		return rd.ReadSources(context.Background(), srcs, feed)
	}, func(ev scan.Evaluated) error {
		r := ev.Resource
		where := r.Item
		if r.Address != "" {
			where = r.Address
			if r.Location != nil {
				where += " @ " + filepath.ToSlash(r.Location.File) + ":" + fmt.Sprint(r.Location.Line)
			}
		}
		fmt.Fprintf(&b, "# %s %s (%s, %s, %s) %s\n", r.Type, r.ID, r.Account, r.Region, filepath.Base(r.Source), where)
		if len(ev.Results) == 0 && len(ev.Suppressed) == 0 {
			fmt.Fprintf(&b, "  (no policy)\n")
		}
		for _, res := range ev.Results {
			line := fmt.Sprintf("  %-5s %s", res.Status, res.Policy.ID)
			switch res.Status {
			case scan.Fail:
				line += "  [" + res.Severity + "] " + res.Title
			case scan.Error:
				line += "  " + res.Err
			}
			fmt.Fprintln(&b, line)
		}
		for _, d := range ev.Suppressed {
			fmt.Fprintf(&b, "  suppressed %s\n", d.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		fmt.Fprintf(&b, "! %s\n", filepath.ToSlash(strings.ReplaceAll(p, "../testdata/scan/", "")))
	}
	st := rd.Stats()
	fmt.Fprintf(&b, "= %d inputs, %d resources, %d skipped, %d errors\n", st.Inputs, st.Resources, st.Skipped, st.Errors)
	return b.String()
}

// lineDiff shows the lines that differ (a unified diff is overkill here).
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := max(len(w), len(g))
	shown := 0
	for i := 0; i < n && shown < 40; i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d\n  want: %s\n  got:  %s\n", i+1, a, c)
			shown++
		}
	}
	return b.String()
}
