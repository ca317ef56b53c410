package replay_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"panther/detections"
	"panther/engine"
	"panther/engine/enginetest"
	"panther/parsers/classifier"
	"panther/parsers/event"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

// Guards change nothing: every shipped rule gives the same verdict (match,
// no match, or the same error) with and without its guard, on every test
// event of every detection of its log types and on generated CloudTrail.
func TestGuardsChangeNothing(t *testing.T) {
	set := engine.Load([]engine.Source{{FS: detections.FS, Root: ".", Display: "detections"}}, engine.LoadOptions{Registry: logtypes.Default()})
	if set.Diagnostics.Errors() > 0 {
		t.Fatal(set.Diagnostics)
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	byType := map[string][]*event.Event{}
	for _, d := range set.Detections {
		for i := range d.Tests {
			e, err := engine.TestEvent(set, d, &d.Tests[i], now)
			if err != nil {
				continue
			}
			byType[e.LogType] = append(byType[e.LogType], e)
		}
	}
	// Generated CloudTrail, web, Suricata, Zeek and syslog, as replay sees
	// them, and web lines whose fields are missing or odd.
	dir := t.TempDir()
	if _, err := enginetest.CloudTrail(enginetest.CloudTrailOptions{Dir: dir, TargetGzBytes: 256 << 10, EventsPerFile: 1000}); err != nil {
		t.Fatal(err)
	}
	gen := func(name string, f func(w *os.File) error) {
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f(out); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	gen("access.log", func(w *os.File) error {
		if err := enginetest.WebLog(w, 5000, 3, 2); err != nil {
			return err
		}
		_, err := io.WriteString(w, `192.0.2.1 - - [06/May/2024:10:00:00 +0000] "GET /x HTTP/1.1" - - "-" "-"`+"\n"+
			`192.0.2.1 - - [06/May/2024:10:00:00 +0000] "garbage" 400 0 "-" "-"`+"\n")
		return err
	})
	gen("eve.json", func(w *os.File) error { return enginetest.SuricataEVE(w, 5000, 2) })
	zeek := filepath.Join(dir, "zeek")
	if err := os.Mkdir(zeek, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := enginetest.ZeekJSON(zeek, 5000, 2); err != nil {
		t.Fatal(err)
	}
	if err := enginetest.AuthLog(dir, 5000, 2); err != nil {
		t.Fatal(err)
	}
	srcs, _ := input.Expand([]string{dir})
	for _, src := range srcs {
		st, err := input.Open(src.Path)
		if err != nil {
			t.Fatal(err)
		}
		rd := input.NewReader(st, input.Options{})
		cls := classifier.New(set.Registry)
		for {
			rec, err := rd.Next()
			if err != nil {
				break
			}
			e, lt2, err := cls.Classify(rec.Data)
			if err != nil || e == nil {
				continue
			}
			set.Registry.Normalise(lt2, e, parsersSource(src.Path), rec.Ordinal, now)
			byType[e.LogType] = append(byType[e.LogType], e)
		}
		st.Close()
	}
	with := engine.NewEvaluator(set, engine.EvalOptions{})
	without := engine.NewEvaluator(set, engine.EvalOptions{NoGuards: true})
	defer with.Close()
	defer without.Close()
	guarded, compared := 0, 0
	for _, d := range set.Detections {
		if d.Kind != engine.TypeRule {
			continue
		}
		if d.ChunkGuard() != nil {
			guarded++
		}
		for _, lt := range d.LogTypes {
			for _, e := range byType[lt] {
				a := with.Evaluate(d, e)
				b := without.Evaluate(d, e)
				compared++
				if a.Matched != b.Matched || (a.Err == nil) != (b.Err == nil) || (a.Err != nil && a.Err.Error() != b.Err.Error()) {
					t.Errorf("%s on %s: guarded %v/%v, unguarded %v/%v", d.ID, e, a.Matched, a.Err, b.Matched, b.Err)
				}
			}
		}
	}
	t.Logf("%d of the shipped rules have a guard; %d verdicts compared", guarded, compared)
	if guarded == 0 || compared < 50000 {
		t.Errorf("the test compared too little: %d guarded rules, %d verdicts", guarded, compared)
	}
}
