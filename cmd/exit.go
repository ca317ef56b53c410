package cmd

import (
	"errors"
	"fmt"
)

// Exit codes, as docs/configuration.md sets them.
const (
	ExitOK          = 0
	ExitFindings    = 1 // failed tests, invalid detections, alerts with --fail-on-alert
	ExitUsage       = 2 // usage or configuration error
	ExitOperational = 3 // I/O, backend, network
	ExitInterrupted = 130
)

// ExitError carries an exit code up to main. Err may be nil when the command
// has already said everything (a test run that printed its failures).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageErr is an ExitUsage error.
func usageErr(format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// opErr wraps an operational failure (I/O, network) as ExitOperational.
func opErr(err error) error {
	if err == nil {
		return nil
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return err
	}
	return &ExitError{Code: ExitOperational, Err: err}
}

// findings is ExitFindings with nothing more to print.
func findings() error { return &ExitError{Code: ExitFindings} }
