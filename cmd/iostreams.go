package cmd

import (
	"io"
	"os"
)

// IOStreams are a command's standard streams, with what it needs to know
// about them. Tests give buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY and ErrTTY say whether the streams are terminals.
	OutTTY, ErrTTY bool
	// Color is true when colour may be written to Out: a terminal and no
	// NO_COLOR in the environment.
	Color bool
}

// SystemIO returns the process's streams.
func SystemIO() *IOStreams {
	out, errTTY := isTerminal(os.Stdout), isTerminal(os.Stderr)
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: out, ErrTTY: errTTY,
		Color: out && !noColor && os.Getenv("TERM") != "dumb",
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// TestIO returns streams over buffers, none of them a terminal.
func TestIO(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut}
}
