package alerts

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

func stagedRows(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.rdb.QueryRow("SELECT count(*) FROM tallies").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStagedTalliesReadExactly: repeats staged and not yet folded show
// in Get, List and the raise results; a change by a person folds them
// first (its If-Match sees the version a reader saw); Close folds the
// rest.
func TestStagedTalliesReadExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	s, _ := openTest(t, Options{Path: path, FoldEvery: time.Hour})
	ev := ConsoleEvent{Node: "db1", Summary: "disk full", Severity: SevHigh}
	var last Result
	for range 10 {
		r, err := s.RaiseEvent(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		last = r
	}
	if last.Tally != 10 || last.Action != "tallied" {
		t.Fatalf("%+v", last)
	}
	if n := stagedRows(t, s); n != 1 {
		t.Fatalf("%d staged rows, want 1 (the repeats are not folded before FoldEvery)", n)
	}
	var rowTally int64
	s.rdb.QueryRow("SELECT tally FROM alerts WHERE id = ?", last.AlertID).Scan(&rowTally)
	if rowTally == 10 {
		t.Fatal("the alert row holds the whole tally: nothing was staged")
	}
	a := get(t, s, last.AlertID)
	if a.Tally != 10 || a.Version != 10 {
		t.Fatalf("get: tally %d version %d, want 10 and 10", a.Tally, a.Version)
	}
	page, err := s.List(ctx, Filter{Node: "db1"}, Page{Sort: "-tally"})
	if err != nil || len(page.Alerts) != 1 || page.Alerts[0].Tally != 10 {
		t.Fatalf("%v %+v", err, page)
	}
	st := StatusTriaged
	if _, err := s.Update(ctx, a.ID, Patch{Status: &st, IfVersion: a.Version}, Actor{Name: "alice"}); err != nil {
		t.Fatalf("If-Match with the version a reader saw: %v", err)
	}
	if n := stagedRows(t, s); n != 0 {
		t.Fatalf("%d staged rows after a change by a person", n)
	}
	s.rdb.QueryRow("SELECT tally FROM alerts WHERE id = ?", last.AlertID).Scan(&rowTally)
	if rowTally != 10 {
		t.Fatalf("row tally %d after the fold", rowTally)
	}
	for range 5 {
		if _, err := s.RaiseEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if a := get(t, s, last.AlertID); a.Tally != 15 || a.Status != StatusTriaged {
		t.Fatalf("%+v", a)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, _ := openTest(t, Options{Path: path})
	if n := stagedRows(t, s2); n != 0 {
		t.Fatalf("%d staged rows after Close and Open", n)
	}
	if a := get(t, s2, last.AlertID); a.Tally != 15 {
		t.Fatalf("%+v", a)
	}
}

const killChildEnv = "PANTHER_ALERTS_KILL_CHILD"

// TestMain runs the child of TestAckedRepeatsSurviveKill when asked.
func TestMain(m *testing.M) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path)
		return
	}
	os.Exit(m.Run())
}

// killChild raises the same event from 4 senders until it is killed,
// printing a line for every acknowledged raise.
func killChild(path string) {
	s, err := Open(context.Background(), Options{Path: path, FoldEvery: 100 * time.Millisecond})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	for range 4 {
		go func() {
			for {
				_, err := s.RaiseEvent(context.Background(), ConsoleEvent{Node: "n", Summary: "storm", Severity: SevLow})
				mu.Lock()
				if err != nil {
					fmt.Fprintln(out, "error", err)
				} else {
					fmt.Fprintln(out, "ack")
				}
				out.Flush() // acknowledged: the parent knows before the next raise
				mu.Unlock()
			}
		}()
	}
	select {}
}

// TestAckedRepeatsSurviveKill: a process raising repeats (staged and
// folded every 100 ms) is killed with SIGKILL; every repeat it
// acknowledged is in the tally when the store opens again, and at most
// the 4 in flight more.
func TestAckedRepeatsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "a.db")
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0
	sc := bufio.NewScanner(stdout)
	deadline := time.Now().Add(1500 * time.Millisecond)
	for sc.Scan() {
		if line := sc.Text(); line != "ack" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %s", line)
		}
		acked++
		if time.Now().After(deadline) {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for sc.Scan() { // acknowledged before the kill, still in the pipe
		if sc.Text() == "ack" {
			acked++
		}
	}
	cmd.Wait()
	if acked < 100 {
		t.Fatalf("only %d raises acknowledged in 1.5 s", acked)
	}
	s, _ := openTest(t, Options{Path: path})
	page, err := s.List(ctx, Filter{Node: "n"}, Page{})
	if err != nil || len(page.Alerts) != 1 {
		t.Fatalf("%v %+v", err, page)
	}
	// The first raise created the alert (tally 1); every other repeat
	// added 1.
	if got := page.Alerts[0].Tally; got < int64(acked) || got > int64(acked)+4 {
		t.Fatalf("tally %d after the kill, %d raises acknowledged (at most 4 more were in flight)", got, acked)
	}
	t.Logf("%d acknowledged, tally %d", acked, page.Alerts[0].Tally)
}
