package lake

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/aws"
)

// The kill tests run this package's test binary again as a child that
// replays into a lake, and kill it (SIGKILL, as kill -9 or a power cut
// would) at random moments or at chosen steps of a commit.
const (
	childEnv   = "PANTHER_LAKE_TEST_CHILD"
	crashEnv   = "PANTHER_LAKE_TEST_CRASH"
	commitEnv  = "PANTHER_LAKE_TEST_COMMIT" // Options.CommitBytes of the child
	childSrcs  = 40                         // sources in the child's replay
	childPer   = 100                        // events a source
	childStart = "2024-03-01T00:00:00Z"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(childMain(dir, os.Getenv(crashEnv)))
	}
	os.Exit(m.Run())
}

// childSource is source i of the child's replay: always the same events,
// about seven minutes of them from childStart + i*10m, so epochs span
// partitions.
func childSource(i int) ([][]byte, SourceInfo) {
	start, _ := time.Parse(time.RFC3339, childStart)
	g := newCloudTrailGen(uint64(1000+i), start.Add(time.Duration(i)*10*time.Minute), 4*time.Second)
	recs := make([][]byte, childPer)
	for j := range recs {
		recs[j] = g.next()
	}
	file := fmt.Sprintf("s3://trail/%03d.json.gz", i)
	return recs, SourceInfo{Digest: fmt.Sprintf("digest-%03d", i), File: file}
}

// childMain replays the child's sources into dir, committing at every
// source boundary, and prints "done N" after each source. With crash set
// to "op:n" it kills itself at the n-th call of that step.
func childMain(dir, crash string) int {
	reg, err := newTestRegistry()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if crash == "live" {
		return childLive(dir, reg)
	}
	opts := Options{FileBytes: 64 << 10, CommitBytes: 1}
	if c, err := strconv.ParseInt(os.Getenv(commitEnv), 10, 64); err == nil {
		opts.CommitBytes = c
	}
	if crash == "fsize" {
		// A real I/O error from the kernel: files may not grow past 64 KiB
		// (EFBIG instead of SIGXFSZ), and staged files would (row groups
		// of 16 KiB of rows, files of 64 MiB).
		signal.Ignore(syscall.SIGXFSZ)
		lim := syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		opts = Options{FileBytes: 64 << 20, CommitBytes: -1, rowGroupBytes: 16 << 10}
	}
	if op, n, ok := strings.Cut(crash, ":"); ok {
		left, _ := strconv.Atoi(n)
		opts.fault = func(o, path string) error {
			if o == op {
				if left--; left == 0 {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					time.Sleep(time.Minute)
				}
			}
			return nil
		}
	}
	w, err := Open(context.Background(), dir, reg, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	for i := 0; i < childSrcs; i++ {
		recs, info := childSource(i)
		if w.HasSource(info.Digest) {
			continue
		}
		evs, err := parseRecords(reg, aws.CloudTrail, info.File, recs)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for _, e := range evs {
			if err := w.WriteEvent(e); err != nil {
				fmt.Fprintln(os.Stderr, "WriteEvent:", err)
				fmt.Fprintln(os.Stderr, "Close:", w.Close())
				return 3
			}
			e.Release()
		}
		if err := w.SourceDone(info); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		fmt.Printf("done %d\n", i)
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("closed")
	return 0
}

// runChild runs the child on dir; kill, when set, is called with the
// running command once it printed its first line.
func runChild(t *testing.T, dir, crash string, kill func(*exec.Cmd)) (killed bool) {
	t.Helper()
	killed, stderr, err := startChild(t, dir, crash, kill)
	if err != nil {
		t.Fatalf("child: %v\n%s", err, stderr)
	}
	return killed
}

func startChild(t *testing.T, dir, crash string, kill func(*exec.Cmd), env ...string) (killed bool, stderrText string, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), childEnv+"="+dir, crashEnv+"="+crash), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	first := true
	for sc.Scan() {
		if first && kill != nil {
			go kill(cmd)
		}
		first = false
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, stderr.String(), nil
	}
	return false, stderr.String(), err
}

// A real write error (the kernel refuses to grow a file: EFBIG, as a full
// disk gives ENOSPC) is returned by WriteEvent with the staging file's
// path; Close returns it too and removes the staging files; nothing
// becomes visible.
func TestRealWriteError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	killed, stderr, err := startChild(t, dir, "fsize", nil)
	var exit *exec.ExitError
	if killed || !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("child: killed=%v err=%v\n%s", killed, err, stderr)
	}
	for _, want := range []string{"WriteEvent: lake: writing " + dir, ".parquet: write ", "file too large", "Close: lake: writing "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("child's errors lack %q:\n%s", want, stderr)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, stagingDir)); len(ents) != 0 {
		t.Errorf("Close left staging files: %v", ents)
	}
	checkVisible(t, dir)
	if done := checkConsistent(t, dir); done != 0 {
		t.Errorf("%d sources committed", done)
	}
}

// checkVisible checks what a reader sees right after a kill, before any
// recovery: every visible Parquet file is whole (DuckDB reads it to the
// end), and everything else the writer left is hidden (under a name that
// starts with '.' or '_').
func checkVisible(t *testing.T, dir string) {
	t.Helper()
	db := openDuck(t)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if p != dir && hidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(p, ".parquet") {
			t.Errorf("visible file that is not Parquet: %s", rel)
			return nil
		}
		var n int64
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM read_parquet(%s) WHERE p_row_id IS NOT NULL", sqlString(p))).Scan(&n); err != nil || n == 0 {
			t.Errorf("visible file %s: %d rows, %v", rel, n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkConsistent opens the lake (which completes or drops what a killed
// run left), then checks that the lake holds exactly the rows of the
// sources of its ledger, each once, and nothing of any other source. It
// returns the number of sources in the ledger.
func checkConsistent(t *testing.T, dir string) int {
	t.Helper()
	reg := testRegistry(t)
	w, err := Open(context.Background(), dir, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for i := 0; i < childSrcs; i++ {
		if _, info := childSource(i); w.HasSource(info.Digest) {
			done++
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, stagingDir)); len(ents) != 0 {
		t.Errorf("staging holds %d entries after Open and Abort", len(ents))
	}
	if _, err := os.Stat(filepath.Join(dir, "logs")); err != nil {
		return done // nothing committed yet
	}
	db := openDuck(t)
	rows, err := db.Query(fmt.Sprintf(`SELECT p_source_file, count(*), count(DISTINCT p_row_id) FROM %s GROUP BY 1`, readAll(dir, "aws_cloudtrail")))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	files := 0
	for rows.Next() {
		var file string
		var n, distinct int
		if err := rows.Scan(&file, &n, &distinct); err != nil {
			t.Fatal(err)
		}
		var i int
		if _, err := fmt.Sscanf(file, "s3://trail/%d.json.gz", &i); err != nil {
			t.Fatalf("unexpected source %s", file)
		}
		_, info := childSource(i)
		if !ledgerHas(t, dir, info.Digest) {
			t.Errorf("source %s has %d visible rows but is not in the ledger", file, n)
		}
		if n != childPer || distinct != childPer {
			t.Errorf("source %s: %d rows (%d distinct), want %d", file, n, distinct, childPer)
		}
		files++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if files != done {
		t.Errorf("%d sources in the lake, %d in the ledger", files, done)
	}
	return done
}

func ledgerHas(t *testing.T, dir, digest string) bool {
	l, _, err := readLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l.digests[digest]
}

// A replay killed at random moments, again and again, leaves only whole
// files visible, and every restart completes or drops what the kill left:
// at the end each source is in the lake exactly once.
func TestKillRandom(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary many times")
	}
	t.Parallel()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills, lakes := 0, 1
	for round := 0; round < 20 && kills < 8; round++ {
		delay := time.Duration(r.IntN(700)) * time.Millisecond
		killed := runChild(t, dir, "", func(cmd *exec.Cmd) {
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
		})
		if killed {
			kills++
			checkVisible(t, dir)
			checkSnapshot(t, dir)
		}
		done := checkConsistent(t, dir)
		t.Logf("lake %d round %d: killed=%v after %v, %d sources committed", lakes, round, killed, delay, done)
		if t.Failed() {
			return
		}
		if done == childSrcs {
			dir = t.TempDir() // that lake is complete: kill the next one
			lakes++
		}
	}
	if kills < 3 {
		t.Errorf("only %d rounds were killed before they finished", kills)
	}
	if runChild(t, dir, "", nil) {
		t.Fatal("child killed without a kill")
	}
	if done := checkConsistent(t, dir); done != childSrcs {
		t.Errorf("%d sources committed at the end, want %d", done, childSrcs)
	}
}

// Killed at each step of a commit, the lake is consistent after the next
// Open, and a second replay completes it exactly once.
func TestKillAtCommitSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary many times")
	}
	t.Parallel()
	for _, crash := range []string{
		"write:3",      // while writing row groups
		"close:2",      // while finishing a file
		"sync:2",       // before the manifest
		"manifest:3",   // the manifest not written
		"rename:1",     // manifest written, nothing renamed
		"rename:8",     // part of the files renamed
		"ledger:2",     // files in place, no ledger
		"generation:2", // ledger written, generation not
		"done:4",       // ledger written, manifest still there
		"cleanup:1",    // all committed, staging not removed
	} {
		t.Run(strings.ReplaceAll(crash, ":", "_"), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if !runChild(t, dir, crash, nil) {
				t.Fatalf("the child was not killed at %s", crash)
			}
			checkVisible(t, dir)
			checkSnapshot(t, dir)
			before := checkConsistent(t, dir)
			if runChild(t, dir, "", nil) {
				t.Fatal("child killed without a crash point")
			}
			if done := checkConsistent(t, dir); done != childSrcs {
				t.Errorf("%d sources committed at the end, want %d (%d after the crash)", done, childSrcs, before)
			}
		})
	}
}

// checkSnapshot checks what a search sees right after a kill, before any
// recovery (Snapshot's listing): whole epochs only. Every source it shows
// has all its rows; it shows every source of the ledger; and of a commit
// under way (its manifest still in staging) it shows all the sources or
// none.
func checkSnapshot(t *testing.T, dir string) {
	t.Helper()
	snap, err := Snapshot(dir, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	visible := map[string]int{}
	for _, tf := range snap {
		if tf.Name != "aws_cloudtrail" || len(tf.Files()) == 0 {
			continue
		}
		rows, err := openDuck(t).Query("SELECT p_source_file, count(*) FROM read_parquet(" + sqlList(tf.Files()) + ") GROUP BY 1")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var f string
			var n int
			if err := rows.Scan(&f, &n); err != nil {
				t.Fatal(err)
			}
			visible[f] = n
		}
		rows.Close()
	}
	led, _, err := readLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	ledger := led.digests
	pending, err := pendingChanges(dir)
	if err != nil {
		t.Fatal(err)
	}
	fileOf := map[string]string{} // digest -> p_source_file
	for i := 0; i < childSrcs; i++ {
		_, info := childSource(i)
		fileOf[info.Digest] = info.File
	}
	for f, n := range visible {
		if n != childPer {
			t.Errorf("search sees %d rows of %s, want %d (part of an epoch)", n, f, childPer)
		}
	}
	inPending := map[string]bool{}
	for _, m := range pending {
		shown := 0
		for _, s := range m.Sources {
			inPending[s.File] = true
			if visible[s.File] > 0 {
				shown++
			}
		}
		if shown != 0 && shown != len(m.Sources) {
			t.Errorf("search sees %d of the %d sources of the commit under way (%s-%d)", shown, len(m.Sources), m.Run, m.Epoch)
		}
	}
	for d := range ledger {
		if visible[fileOf[d]] == 0 {
			t.Errorf("source %s is in the ledger, search does not see it", fileOf[d])
		}
	}
	for f := range visible {
		var d string
		fmt.Sscanf(f, "s3://trail/%s", &d)
		committed := false
		for dig := range ledger {
			committed = committed || fileOf[dig] == f
		}
		if !committed && !inPending[f] {
			t.Errorf("search sees %s, which no commit holds", f)
		}
	}
}

// A commit of many files killed between its renames (the live backend
// commits every few seconds, so this is common there): search shows the
// lake as before the commit, never part of it; the next writer completes
// it.
func TestKillBetweenRenames(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	t.Parallel()
	// Epochs of about ten sources: a hundred minutes of events, files in
	// two or three hour partitions.
	const commit = "PANTHER_LAKE_TEST_COMMIT=1000000"
	for _, n := range []int{1, 3, 6} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			killed, stderr, err := startChild(t, dir, "rename:"+strconv.Itoa(n), nil, commit)
			if err != nil || !killed {
				t.Fatalf("the child was not killed at rename %d: %v\n%s", n, err, stderr)
			}
			pending, err := pendingChanges(dir)
			if err != nil || len(pending) != 1 || len(pending[0].Files) < 2 {
				t.Fatalf("%d commits under way (%v); want one of several files", len(pending), err)
			}
			checkSnapshot(t, dir)
			before := checkConsistent(t, dir)
			if _, stderr, err := startChild(t, dir, "", nil, commit); err != nil {
				t.Fatalf("child: %v\n%s", err, stderr)
			}
			if done := checkConsistent(t, dir); done != childSrcs {
				t.Errorf("%d sources committed at the end, want %d (%d after the crash)", done, childSrcs, before)
			}
		})
	}
}

// childLive writes the child's sources as one stream ("wal", offset
// i*childPer+j for event j of source i) through a Live that commits every
// 20 ms, from the stream's Position on, as serve does after a restart.
func childLive(dir string, reg *parsers.Registry) int {
	l, err := OpenLive(context.Background(), dir, reg, LiveOptions{Options: Options{FileBytes: 64 << 10}, CommitInterval: 20 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	pos := l.Position("wal")
	for i := int(pos) / childPer; i < childSrcs; i++ {
		recs, info := childSource(i)
		evs, err := parseRecords(reg, aws.CloudTrail, info.File, recs)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		for j := 0; j < childPer; j += 25 {
			off := int64(i*childPer + j)
			if off+25 <= pos {
				continue
			}
			chunk := evs[j : j+25]
			if off < pos {
				chunk = chunk[pos-off:]
			}
			if err := l.Write("wal", off+25, chunk...); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 3
			}
			fmt.Printf("wrote %d\n", off+25)
		}
		for _, e := range evs {
			e.Release()
		}
	}
	if err := l.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	fmt.Println("closed")
	return 0
}

// checkLiveSnapshot checks what a search sees right after a Live was
// killed: a prefix of the stream that ends where a commit ends (the
// committed position, or the end of the commit under way when all its
// files are in place), never part of a commit. It returns the count.
func checkLiveSnapshot(t *testing.T, dir string) int64 {
	t.Helper()
	led, _, err := readLedger(dir)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := pendingChanges(dir)
	if err != nil {
		t.Fatal(err)
	}
	ends := map[int64]bool{led.streams["wal"]: true}
	for _, m := range pending {
		for _, s := range m.Sources {
			if s.Stream == "wal" {
				ends[s.To] = true
			}
		}
	}
	snap, err := Snapshot(dir, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int64{}
	var total int64
	for _, tf := range snap {
		if tf.Name != "aws_cloudtrail" || len(tf.Files()) == 0 {
			continue
		}
		rows, err := openDuck(t).Query("SELECT p_source_file, count(*) FROM read_parquet(" + sqlList(tf.Files()) + ") GROUP BY 1")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var f string
			var n int64
			rows.Scan(&f, &n)
			per[f] = n
			total += n
		}
		rows.Close()
	}
	if !ends[total] {
		t.Errorf("search sees %d events of the stream; commits end at %v", total, ends)
	}
	for i := 0; i < childSrcs; i++ {
		_, info := childSource(i)
		want := min(max(total-int64(i*childPer), 0), childPer)
		if per[info.File] != want {
			t.Errorf("search sees %d events of %s, want %d (a prefix of %d)", per[info.File], info.File, want, total)
		}
	}
	return total
}

// A Live killed at random moments (kill -9) and restarted from its
// Position, again and again: search only ever sees a prefix of the stream
// that ends at a commit, and at the end every offset is in the lake once.
func TestKillLive(t *testing.T) {
	if testing.Short() {
		t.Skip("re-runs the test binary many times")
	}
	t.Parallel()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	kills := 0
	for round := 0; round < 12 && kills < 6; round++ {
		delay := time.Duration(r.IntN(400)) * time.Millisecond
		killed := runChild(t, dir, "live", func(cmd *exec.Cmd) {
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
		})
		if !killed {
			break
		}
		kills++
		seen := checkLiveSnapshot(t, dir)
		t.Logf("round %d: killed after %v, search saw %d events", round, delay, seen)
		if t.Failed() {
			return
		}
	}
	if runChild(t, dir, "live", nil) {
		t.Fatal("child killed without a kill")
	}
	db := openDuck(t)
	n := queryInt(t, db, "SELECT count(*) FROM "+readAll(dir, "aws_cloudtrail"))
	d := queryInt(t, db, "SELECT count(DISTINCT p_row_id) FROM "+readAll(dir, "aws_cloudtrail"))
	if n != childSrcs*childPer || d != n {
		t.Errorf("%d rows (%d distinct) after %d kills, want %d", n, d, kills, childSrcs*childPer)
	}
}
