package enginetest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCloudTrailCorpus(t *testing.T) {
	dir := t.TempDir()
	st, err := CloudTrail(CloudTrailOptions{Dir: dir, TargetGzBytes: 200 << 10, EventsPerFile: 500})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files < 2 || st.Events != int64(st.Files*500) || st.GzBytes < 200<<10 {
		t.Errorf("%+v", st)
	}
	var files int
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			files++
		}
		return nil
	})
	if files != st.Files {
		t.Errorf("%d files on disk, %d reported", files, st.Files)
	}
	// The same options give the same bytes.
	dir2 := t.TempDir()
	st2, _ := CloudTrail(CloudTrailOptions{Dir: dir2, TargetGzBytes: 200 << 10, EventsPerFile: 500})
	if st2 != st {
		t.Errorf("not deterministic: %+v vs %+v", st, st2)
	}
}

// With Events, exactly that many events, spread over Days from Start.
func TestCloudTrailCorpusEvents(t *testing.T) {
	st, err := CloudTrail(CloudTrailOptions{Dir: t.TempDir(), Events: 1234, EventsPerFile: 500, Days: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Events != 1234 || st.Files != 3 {
		t.Errorf("%+v, want 1234 events in 3 files", st)
	}
}
