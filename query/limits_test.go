package query

import (
	"errors"
	"strings"
	"testing"
)

// Search has a memory bound: a query that needs more memory than the
// limit (and cannot spill), or more temporary space than allowed when it
// spills, fails with a *LimitError that says what to do; the limits are
// settings with defaults, checked when the engine opens.
func TestMemoryAndTempLimits(t *testing.T) {
	t.Parallel()
	lake := t.TempDir()
	e := openT(t, Options{Lake: lake, MemoryLimit: "64MB", TempLimit: "16MB", Threads: 1})
	for _, q := range []string{
		// 400 MB of string in one value: string_agg cannot spill.
		"SELECT length(string_agg(repeat('x', 4000), '')) FROM range(100000)",
		// A sort of 320 MB spills, and its files pass 16 MB.
		"SELECT * FROM (SELECT i, repeat('y', 300) AS s FROM range(1000000) t(i)) ORDER BY hash(i) LIMIT 1 OFFSET 999998",
	} {
		_, err := tryRows(e, q)
		var le *LimitError
		if !errors.As(err, &le) {
			t.Errorf("%.40s...: err = %v, want a *LimitError", q, err)
			continue
		}
		for _, want := range []string{"memory limit 64MB", "temporary files 16MB", "--memory-limit"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%.40s...: %q lacks %q", q, err, want)
			}
		}
	}
	// The same queries run with room to spare, and the defaults are set.
	if got := rowsOf(t, e, "SELECT count(*) FROM range(1000)"); len(got) != 1 || got[0] != "1000" {
		t.Errorf("a small query after the refusals: %q", got)
	}
	d := openT(t, Options{Lake: lake})
	got := rowsOf(t, d, "SELECT current_setting('memory_limit'), current_setting('max_temp_directory_size')")
	if len(got) != 1 || !strings.HasPrefix(got[0], "1.8 GiB|") && !strings.HasPrefix(got[0], "1.9 GiB|") {
		t.Errorf("default limits %q, want about 2GB and 8GB", got)
	}
	for _, bad := range []Options{{Lake: lake, MemoryLimit: "lots"}, {Lake: lake, TempLimit: "8"}, {Lake: lake, MemoryLimit: "1GB; SET x=1"}} {
		if e, err := Open(t.Context(), bad); err == nil {
			e.Close()
			t.Errorf("Open took limits %q / %q", bad.MemoryLimit, bad.TempLimit)
		}
	}
}
