//go:build !unix

package lake

// Without flock (Windows), two writers on one lake are not prevented: run
// one replay per lake at a time.
type lockFile struct{}

func lockLake(string) (*lockFile, error) { return &lockFile{}, nil }

func (*lockFile) release() {}

// syncDir is a no-op: Windows offers no way to sync a directory.
func syncDir(string) error { return nil }
