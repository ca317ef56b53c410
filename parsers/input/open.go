package input

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is how a source is compressed, as recognised by its content.
type Compression uint8

// The compressions Open recognises.
const (
	Plain Compression = iota
	Gzip
	Zstd
	Bzip2
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Bzip2:
		return "bzip2"
	}
	return "plain"
}

// zstdMaxWindow bounds the memory a zstd stream may ask for. 128 MiB allows
// `zstd --long=27` archives; a larger window is refused rather than
// allocated, so a hostile or odd file cannot take the machine's memory.
const zstdMaxWindow = 128 << 20

// rawBufferSize is the read size on the compressed side.
const rawBufferSize = 128 << 10

// Stream is one opened source: its decompressed bytes, read with Read.
// Read errors say what broke ("truncated gzip stream") but not the source's
// name: the Reader adds name and line. Close releases the file and the
// decompressor.
type Stream struct {
	name   string
	comp   Compression
	r      io.Reader // decompressed data
	raw    *countingReader
	closer io.Closer // the file, nil for stdin and NewStream
	zstd   *zstd.Decoder
	err    error // sticky read error
}

// Open opens a file, or standard input for "-", and recognises its
// compression by its first bytes (not its name). A file that cannot be
// opened or whose compressed header is damaged is a *SourceError.
func Open(path string) (*Stream, error) {
	if path == "-" {
		return NewStream("-", os.Stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &SourceError{File: path, Err: pathErr(err)}
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, &SourceError{File: path, Err: errors.New("is a directory")}
	}
	s, err := NewStream(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// pathErr drops the path from an *fs.PathError, since SourceError says it.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// NewStream wraps r (which Stream does not close) and recognises its
// compression from its first bytes; name is used in errors.
func NewStream(name string, r io.Reader) (*Stream, error) {
	s := &Stream{name: name, raw: &countingReader{r: r}}
	br := bufio.NewReaderSize(s.raw, rawBufferSize)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, &SourceError{File: name, Err: fmt.Errorf("read: %w", err)}
	}
	s.comp = sniffCompression(magic)
	switch s.comp {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &SourceError{File: name, Err: decompressErr(Gzip, err)}
		}
		s.r = zr
	case Zstd:
		zr, err := zstd.NewReader(br,
			zstd.WithDecoderConcurrency(zstdConcurrency),
			zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, &SourceError{File: name, Err: decompressErr(Zstd, err)}
		}
		s.r, s.zstd = zr, zr
	case Bzip2:
		s.r = &blockChecked{r: bzip2.NewReader(br)}
	default:
		s.r = br
	}
	return s, nil
}

// zstdConcurrency is the zstd decoder's number of in-flight blocks. One
// means no decoding goroutines: the replay pipeline already spreads sources
// over the cores, and BenchmarkDecompress showed the asynchronous decoder
// no faster per core on this machine (see the package doc).
var zstdConcurrency = 1

func sniffCompression(b []byte) Compression {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		return Gzip
	case len(b) >= 4 && bytes.Equal(b[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case len(b) >= 4 && b[0]&0xf0 == 0x50 && bytes.Equal(b[1:4], []byte{0x2a, 0x4d, 0x18}):
		return Zstd // a skippable frame first
	case len(b) >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9':
		return Bzip2
	}
	return Plain
}

// Name is the source's name as given ("-" for standard input).
func (s *Stream) Name() string { return s.name }

// Compression is the compression recognised.
func (s *Stream) Compression() Compression { return s.comp }

// RawBytes is how many bytes were read from the underlying file so far
// (compressed bytes for a compressed file). It is safe to call from another
// goroutine, for progress reports.
func (s *Stream) RawBytes() int64 { return s.raw.n.Load() }

// Read reads decompressed bytes. A damaged compressed stream is an error
// that says so ("truncated gzip stream") after every byte before the damage
// was returned.
func (s *Stream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		if s.comp == Plain {
			err = fmt.Errorf("read: %w", pathErr(err))
		} else {
			err = decompressErr(s.comp, err)
		}
		s.err = err
	}
	return n, err
}

// Close closes the decompressor and the file Open opened.
func (s *Stream) Close() error {
	if s.zstd != nil {
		s.zstd.Close()
		s.zstd = nil
	}
	if c, ok := s.r.(io.Closer); ok && s.comp == Gzip {
		c.Close()
	}
	if s.closer != nil {
		err := s.closer.Close()
		s.closer = nil
		return err
	}
	return nil
}

// decompressErr names what broke: a stream that ends early is "truncated",
// anything else "corrupt".
func decompressErr(c Compression, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("truncated %s stream (%w)", c, io.ErrUnexpectedEOF)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("read: %w", pathErr(err))
	}
	return fmt.Errorf("corrupt %s stream: %w", c, err)
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// blockChecked holds back the output of each bzip2 block until the block's
// checksum has passed. compress/bzip2 hands out a block's bytes as it
// decodes them and checks the block's CRC only after the last one: a
// damaged block came out as thousands of lines of garbage ("malformed
// JSON") before the error. One Read of compress/bzip2 never spans two
// blocks, and one that returns fewer bytes than asked ends its block; the
// next Read checks that block's CRC first. So the bytes read since the
// last block end are released once a later Read succeeds, and a damaged
// block's bytes are dropped with the error. A block decodes to about 1 MB
// (900 KB before run-length decoding); past maxHeld bytes (a hostile run
// length), the held bytes go out unchecked rather than grow memory.
type blockChecked struct {
	r     io.Reader
	held  []byte // bytes of the block(s) not yet checked
	ready []byte // checked bytes not yet read: a prefix of buf
	ended bool   // the last read ended a block
	err   error
	chunk []byte
}

const maxHeld = 64 << 20

func (b *blockChecked) Read(p []byte) (int, error) {
	for len(b.ready) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		if b.chunk == nil {
			b.chunk = make([]byte, 64<<10)
		}
		n, err := b.r.Read(b.chunk)
		if err != nil && err != io.EOF {
			b.held, b.err = nil, err // the damaged block's bytes go
			continue
		}
		if b.ended || err == io.EOF || len(b.held) > maxHeld {
			// The read after a block end passed the block's checksum
			// (or the stream's end its own).
			b.ready, b.held = b.held, nil
		}
		b.held = append(b.held, b.chunk[:n]...)
		b.ended = n < len(b.chunk)
		if err == io.EOF {
			b.ready = append(b.ready, b.held...)
			b.held, b.err = nil, io.EOF
		}
	}
	n := copy(p, b.ready)
	b.ready = b.ready[n:]
	return n, nil
}
