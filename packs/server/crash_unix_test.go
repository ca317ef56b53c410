//go:build unix

package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"panther/auth"
	"panther/packs"
)

// TestMain lets the test binary be the server process of the crash test.
func TestMain(m *testing.M) {
	if os.Getenv("PANTHER_SERVER_CHILD") == "1" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild serves PANTHER_CHILD_DATA and writes its address to
// PANTHER_CHILD_ADDR; with PANTHER_CHILD_CRASH it kills itself with
// SIGKILL the first time an upload reaches that point.
func runChild() int {
	if point := os.Getenv("PANTHER_CHILD_CRASH"); point != "" {
		var hits atomic.Int32
		testHook = func(p string) {
			if p == point && hits.Add(1) == 1 {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
	}
	tokens, err := auth.ParseTokens([]string{writeToken})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	srv, err := New(Options{DataDir: os.Getenv("PANTHER_CHILD_DATA"), Tokens: tokens, Load: testLoad,
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil))})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	addrFile := os.Getenv("PANTHER_CHILD_ADDR")
	os.WriteFile(addrFile+".tmp", []byte(ln.Addr().String()), 0o600)
	os.Rename(addrFile+".tmp", addrFile)
	if err := srv.Serve(context.Background(), ln, "", ""); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	return 0
}

type child struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
}

func startChild(t *testing.T, data, crashAt string) *child {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PANTHER_SERVER_CHILD=1", "PANTHER_CHILD_DATA="+data,
		"PANTHER_CHILD_ADDR="+addrFile, "PANTHER_CHILD_CRASH="+crashAt)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: logs}
	t.Cleanup(func() { c.kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(addrFile); err == nil {
			c.url = "http://" + string(b)
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server process did not start:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kill sends SIGKILL and reaps the process.
func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// TestCrashMidUpload kills the server with SIGKILL at each point of an
// upload; restarted, it has the previous active version intact, no staged
// file and no blob that no version names. Killed after the commit, the new
// version is there: the commit is durable.
func TestCrashMidUpload(t *testing.T) {
	t.Parallel()
	v1 := buildZip(t, packTree(1, false), "P")
	v2 := buildZip(t, packTree(2, false), "P")
	points := []string{"mid-body", "body-received", "staged-synced", "before-rename", "blob-stored", "committed"}
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			c := startChild(t, data, "")
			cl := &packs.Client{BaseURL: c.url, Token: writeToken, MaxAttempts: 1}
			if _, err := upload(t, cl, v1.Zip, packs.UploadOptions{}); err != nil {
				t.Fatal(err)
			}
			c.kill()

			c = startChild(t, data, point)
			cl.BaseURL = c.url
			if point == "mid-body" {
				conn, err := net.Dial("tcp", strings.TrimPrefix(c.url, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(conn, "POST /api/v1/packs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", writeToken, len(v2.Zip))
				conn.Write(v2.Zip[:len(v2.Zip)/2])
				waitFor(t, func() bool { return len(files(t, filepath.Join(data, "tmp"))) == 1 })
				c.kill()
				conn.Close()
			} else {
				_, err := upload(t, cl, v2.Zip, packs.UploadOptions{})
				var ne *packs.NetworkError
				if !errors.As(err, &ne) {
					t.Fatalf("the upload should have died with the server: %v\n%s", err, c.logs.String())
				}
				c.cmd.Wait()
				if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("the server was not killed at %s: %v", point, c.cmd.ProcessState)
				}
			}

			c = startChild(t, data, "")
			cl.BaseURL = c.url
			want, wantZip, wantVersions := 1, v1.Zip, 1
			if point == "committed" {
				want, wantZip, wantVersions = 2, v2.Zip, 2
			}
			info, err := cl.Get(context.Background(), "P")
			if err != nil {
				t.Fatal(err)
			}
			if info.Active != want || len(info.List) != wantVersions {
				t.Errorf("after the crash: active %d with %d version(s), want %d with %d", info.Active, len(info.List), want, wantVersions)
			}
			got, _, _, err := cl.Download(context.Background(), "P", 0, "")
			if err != nil || !bytes.Equal(got, wantZip) {
				t.Errorf("the active version's zip is not intact: %v", err)
			}
			if left := files(t, filepath.Join(data, "tmp")); len(left) != 0 {
				t.Errorf("staged files after restart: %v", left)
			}
			if blobs := files(t, filepath.Join(data, "blobs")); len(blobs) != wantVersions {
				t.Errorf("blobs after restart: %v", blobs)
			}
			// And it works on: the same upload now succeeds.
			res, err := upload(t, cl, v2.Zip, packs.UploadOptions{})
			if err != nil || res.Active != 2 || res.Version != 2 {
				t.Errorf("upload after restart: %+v %v", res, err)
			}
			c.kill()
		})
	}
}
