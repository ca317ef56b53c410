package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// panther lake compact merges what two replays wrote into the same hours,
// and search reads the same rows after; compacting again does nothing;
// panther lake prune removes what ended before the retention.
func TestLakeCompactAndPrune(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lk := filepath.Join(dir, "lake")
	for i, name := range []string{"a.json", "b.json"} {
		var b strings.Builder
		for j := 0; j < 20; j++ {
			b.WriteString(ctEvent(j, "StopLogging", []string{"alice", "bob"}[i]) + "\n")
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(b.String()), 0o644)
		if _, errOut, code := run(t, dir, "replay", p, "--lake", lk, "--quiet"); code != 0 {
			t.Fatalf("replay %s: exit %d\n%s", name, code, errOut)
		}
	}
	count := func() string {
		out, errOut, code := run(t, dir, "search", "--lake", lk, "--format", "csv",
			"SELECT (SELECT count(*) FROM aws_cloudtrail) AS events, (SELECT count(*) FROM alerts) AS alerts, (SELECT count(*) FROM rule_matches) AS matches")
		if code != 0 {
			t.Fatalf("search: %d %s", code, errOut)
		}
		return strings.TrimSpace(out)
	}
	before := count()
	var events, alerts, matches int
	if _, err := fmt.Sscanf(before, "events,alerts,matches\n%d,%d,%d", &events, &alerts, &matches); err != nil || events != 40 || alerts < 2 || matches < 40 {
		t.Fatalf("before: %q, want 40 events, alerts and matches of both replays", before)
	}
	out, errOut, code := run(t, dir, "lake", "compact", "--lake", lk)
	if code != 0 || !strings.HasPrefix(out, "compacted 3 partitions: 6 files into 3, ") || !strings.HasSuffix(out, fmt.Sprintf(", %d rows\n", events+alerts+matches)) {
		t.Errorf("compact: exit %d, %q %s", code, out, errOut)
	}
	if after := count(); after != before {
		t.Errorf("after compaction: %q, want %q", after, before)
	}
	if out, _, code := run(t, dir, "lake", "compact", "--lake", lk, "--table", "alerts"); code != 0 || out != "nothing to compact: every partition has one file\n" {
		t.Errorf("compact again: exit %d, %q", code, out)
	}
	// The test clock is 2024-06-01; the events are of 2024-01-01.
	if out, _, code := run(t, dir, "lake", "prune", "--lake", lk, "--older-than", "200d"); code != 0 || out != "nothing to prune: no partition ended before the retention\n" {
		t.Errorf("prune 200d: exit %d, %q", code, out)
	}
	if out, _, code := run(t, dir, "lake", "prune", "--lake", lk, "--older-than", "100d", "--dry-run"); code != 0 || !strings.HasPrefix(out, "would remove 3 partitions (3 files, ") || !strings.HasSuffix(out, ") from 2024-01-01T00Z to 2024-01-01T00Z\n") {
		t.Errorf("prune --dry-run: exit %d, %q", code, out)
	}
	if after := count(); after != before {
		t.Errorf("after a dry run: %q, want %q", after, before)
	}
	if out, _, code := run(t, dir, "lake", "prune", "--lake", lk, "--older-than", "100d"); code != 0 || !strings.HasPrefix(out, "removed 3 partitions") {
		t.Errorf("prune: exit %d, %q", code, out)
	}
	if after := count(); after != "events,alerts,matches\n0,0,0" {
		t.Errorf("after pruning: %q", after)
	}
}

func TestLakeCommandErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"lake", "prune", "--lake", dir}, 2, "panther: prune needs --older-than, the retention: e.g. --older-than 90d\n"},
		{[]string{"lake", "prune", "--lake", dir, "--older-than", "soon"}, 2, "panther: --older-than \"soon\": want a duration like 36h, 7d or 2w\n"},
		{[]string{"lake", "compact"}, 2, "panther: no lake: pass --lake DIR, or set PANTHER_LAKE or lake: in .panther.yml\n"},
		{[]string{"lake", "compact", "--lake", filepath.Join(dir, "nope")}, 2, "panther: lake " + filepath.Join(dir, "nope") + ": no such directory\n"},
		{[]string{"lake", "compact", "--lake", dir, "--table", "nope"}, 3, "panther: lake " + dir + " has no table \"nope\"\n"},
	} {
		_, errOut, code := run(t, dir, c.args...)
		if code != c.code || errOut != c.err {
			t.Errorf("%v: exit %d %q, want %d %q", c.args, code, errOut, c.code, c.err)
		}
	}
	// Flag parsing apart from the run.
	o, err := parseCmd(t, dir, newCmdLakeCompact, "compact", "--lake", dir, "--table", "alerts", "--older-than", "2d")
	if err != nil || o.Lake != dir || o.Table != "alerts" || o.OlderThan != 48*time.Hour {
		t.Errorf("compact options %+v (%v)", o, err)
	}
	p, err := parseCmd(t, dir, newCmdLakePrune, "prune", "--lake", dir, "--older-than", "90d", "--dry-run")
	if err != nil || p.Lake != dir || p.OlderThan != 90*24*time.Hour || !p.DryRun {
		t.Errorf("prune options %+v (%v)", p, err)
	}
}
