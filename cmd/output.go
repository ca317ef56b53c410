package cmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// output is where a command writes a stream of results: stdout or a file
// of a flag (--alerts, --dead-letter). Every write, the flush and the
// close are checked and the first failure kept, so that a full disk ends
// the command with exit 3 and a message naming the file, never with a
// truncated file and exit 0.
type output struct {
	what string // "--alerts out.jsonl", "stdout"
	f    *os.File
	w    *bufio.Writer
	err  error
}

// createOutput creates the file of a flag.
func createOutput(flag, path string) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, opErr(fmt.Errorf("--%s: %w", flag, err))
	}
	return &output{what: "--" + flag + " " + path, f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// newOutput buffers w (stdout).
func newOutput(what string, w io.Writer) *output {
	return &output{what: what, w: bufio.NewWriterSize(w, 64<<10)}
}

func (o *output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	if o.w == nil {
		return 0, fmt.Errorf("%s: written after close", o.what)
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}

// Err is the first failure so far, as an operational error.
func (o *output) Err() error {
	if o.err == nil {
		return nil
	}
	return opErr(fmt.Errorf("writing %s: %w", o.what, o.err))
}

// Close flushes and closes, and returns the first failure of the output's
// life. Closing twice is a no-op.
func (o *output) Close() error {
	if o.w == nil {
		return o.Err()
	}
	if err := o.w.Flush(); err != nil && o.err == nil {
		o.err = err
	}
	o.w = nil
	if o.f != nil {
		if err := o.f.Close(); err != nil && o.err == nil {
			o.err = err
		}
		o.f = nil
	}
	return o.Err()
}
