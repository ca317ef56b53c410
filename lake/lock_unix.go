//go:build unix

package lake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFile is the lake's writer lock: an flock on <lake>/.lock, which the
// kernel releases when the process dies, however it dies.
type lockFile struct{ f *os.File }

func lockLake(dir string) (*lockFile, error) {
	path := filepath.Join(dir, ".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lake %s: cannot create the lock file: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid, _ := os.ReadFile(path)
			who := "another process"
			if p := strings.TrimSpace(string(pid)); p != "" {
				who = "process " + p
			}
			return nil, fmt.Errorf("lake %s is being written by %s; wait for it to finish, or write to another lake", dir, who)
		}
		return nil, fmt.Errorf("lake %s: locking %s: %w", dir, path, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &lockFile{f: f}, nil
}

func (l *lockFile) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}
