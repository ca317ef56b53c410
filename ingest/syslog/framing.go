// Package syslog is the syslog input of `panther serve`: listeners over
// TCP (RFC 6587 framing), TLS (RFC 5425, optionally requiring client
// certificates signed by a CA: mTLS) and UDP (RFC 5426, a datagram a
// message). The messages themselves (RFC 5424 and RFC 3164) are parsed by
// the pipeline with the Syslog log types of parsers/syslog, like any
// other record; this package only frames them and writes batches of
// frames to the journal.
//
// Framing on a stream, per RFC 6587, is either octet counting ("MSG-LEN SP
// MSG", RFC 5425's only framing) or non-transparent (a message a line,
// ended by LF; a CR before it is dropped). A listener may force one, or
// take each frame as it comes (auto): a frame that starts with digits and
// a space is octet-counted, anything else is a line. A syslog message
// starts with '<' (its PRI) or, without a PRI, with a letter or a
// timestamp ("2024-...", never digits then a space), so the two never
// collide.
//
// Why our own framing: the well-kept Go syslog library
// (github.com/influxdata/go-syslog, now leodido/go-syslog) frames and
// parses in one state machine and hands over parsed messages, not the
// frames; we need the frames, for our parsers (the same as replay's) and
// for the write-ahead log, which keeps what was received. Framing is the
// small part (a length or a newline), fuzzed (FuzzFramer) and measured
// (BenchmarkFramer) beside the listener.
package syslog

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Framing is how a stream's messages are delimited.
type Framing int

// Framings.
const (
	FramingAuto   Framing = iota // each frame as it comes
	FramingLF                    // non-transparent: a line a message
	FramingOctets                // octet counting: "LEN SP MSG"
)

// ParseFraming reads a framing name: auto, lf (or non-transparent),
// octet-counting (or octets).
func ParseFraming(s string) (Framing, error) {
	switch s {
	case "", "auto":
		return FramingAuto, nil
	case "lf", "non-transparent":
		return FramingLF, nil
	case "octet-counting", "octets":
		return FramingOctets, nil
	}
	return 0, fmt.Errorf("framing %q: use auto, lf or octet-counting", s)
}

// TooLargeError is a frame over the size limit; the framer skipped it and
// the stream goes on.
type TooLargeError struct {
	Size  int64 // the frame's size, as far as it is known (at least Limit+1)
	Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("syslog message of %d bytes or more exceeds the %d-byte limit", e.Size, e.Limit)
}

// ErrBadFrame is a stream whose framing cannot be followed any more (an
// octet count that is not a number): the connection must be closed.
var ErrBadFrame = errors.New("bad octet-counting frame")

// maxCountDigits: MSG-LEN has at most 10 digits (RFC 5425 allows any
// length; we refuse above 10 digits anyway).
const maxCountDigits = 10

// Framer reads frames from a stream.
type Framer struct {
	r       *bufio.Reader
	framing Framing
	max     int
	buf     []byte
}

// NewFramer reads frames of at most max bytes from r.
func NewFramer(r *bufio.Reader, framing Framing, max int) *Framer {
	return &Framer{r: r, framing: framing, max: max}
}

// Buffered says whether a frame may be read without waiting for the
// network (the listener flushes its batch before a read that would wait).
func (f *Framer) Buffered() bool { return f.r.Buffered() > 0 }

// Next returns the next frame, valid until the next call. At the end of
// the stream it returns io.EOF; a frame over the limit is skipped and
// returned as a *TooLargeError (call Next again for the following one).
func (f *Framer) Next() ([]byte, error) {
	for {
		c, err := f.r.Peek(1)
		if err != nil {
			return nil, err
		}
		switch {
		case f.framing == FramingAuto && c[0] >= '1' && c[0] <= '9', f.framing == FramingOctets && c[0] != '\n' && c[0] != '\r':
			n, ok, err := f.count()
			if err != nil {
				return nil, err
			}
			if ok {
				return f.octets(n)
			}
			// Digits without a space: a line (auto only; count() left
			// the digits unread).
			return f.line()
		case c[0] == '\n' || c[0] == '\r':
			// Blank lines and the LF some senders add after an
			// octet-counted frame.
			f.r.ReadByte()
			continue
		default:
			if f.framing == FramingOctets {
				return nil, fmt.Errorf("%w: the frame starts with %q, not a length", ErrBadFrame, c[0])
			}
			return f.line()
		}
	}
}

// count reads "LEN SP" if the stream has it. With auto framing and no
// space after the digits, it reads nothing and returns ok false.
func (f *Framer) count() (n int64, ok bool, err error) {
	// Peek one more byte at a time: never wait for bytes the frame does
	// not need (the sender may have nothing more to send yet).
	var p []byte
	i := 0
	for {
		p, err = f.r.Peek(i + 1)
		if len(p) < i+1 || p[i] < '0' || p[i] > '9' || i == maxCountDigits {
			break
		}
		n = n*10 + int64(p[i]-'0')
		i++
	}
	if i == 0 || len(p) < i+1 || p[i] != ' ' || p[0] == '0' {
		if f.framing == FramingOctets {
			if i == 0 && len(p) > 0 {
				return 0, false, fmt.Errorf("%w: the frame starts with %q, not a length", ErrBadFrame, p[0])
			}
			if err != nil {
				return 0, false, unexpected(err)
			}
			return 0, false, fmt.Errorf("%w: no space after the length", ErrBadFrame)
		}
		return 0, false, nil
	}
	f.r.Discard(i + 1)
	return n, true, nil
}

func (f *Framer) octets(n int64) ([]byte, error) {
	if n > int64(f.max) {
		if _, err := f.r.Discard(int(min(n, 1<<62))); err != nil {
			return nil, unexpected(err)
		}
		return nil, &TooLargeError{Size: n, Limit: f.max}
	}
	if cap(f.buf) < int(n) {
		f.buf = make([]byte, n)
	}
	f.buf = f.buf[:n]
	if _, err := io.ReadFull(f.r, f.buf); err != nil {
		return nil, unexpected(err)
	}
	return f.buf, nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (f *Framer) line() ([]byte, error) {
	f.buf = f.buf[:0]
	for {
		chunk, err := f.r.ReadSlice('\n')
		if len(f.buf)+len(chunk) > f.max+1 { // +1: the LF
			size := int64(len(f.buf) + len(chunk))
			f.buf = f.buf[:0]
			for err == bufio.ErrBufferFull {
				chunk, err = f.r.ReadSlice('\n')
				size += int64(len(chunk))
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, &TooLargeError{Size: size, Limit: f.max}
		}
		f.buf = append(f.buf, chunk...)
		switch err {
		case nil:
			b := f.buf[:len(f.buf)-1]
			if n := len(b); n > 0 && b[n-1] == '\r' {
				b = b[:n-1]
			}
			return b, nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(f.buf) == 0 {
				return nil, io.EOF
			}
			return f.buf, nil // the last line, without its LF
		default:
			return nil, err
		}
	}
}
