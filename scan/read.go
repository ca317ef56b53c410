package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers/input"
)

// DefaultMaxFileBytes is the largest input (decompressed) a reader takes.
const DefaultMaxFileBytes = 512 << 20

// ReadOptions tune a Reader.
type ReadOptions struct {
	// MaxFileBytes bounds one input, decompressed (DefaultMaxFileBytes).
	// A reader holds one input at a time, so this bounds its memory.
	MaxFileBytes int64
	// Account and Region fill AccountId and Region for inputs that do not
	// carry them (most AWS CLI output). Without Account, the account of
	// such an input is the one account the other inputs name, if they name
	// exactly one.
	Account, Region string
	// Now is the scan time: the Time of resources that have none of their
	// own (default time.Now).
	Now func() time.Time
	// TerraformDir is where the configuration of the Terraform plans read
	// is (default: each plan file's directory), to locate resources in .tf
	// files.
	TerraformDir string
	// NoLocalFiles: the inputs come from the network (serve's ingest
	// API), so nothing they name is read from the local disk (Terraform
	// plans are not located in .tf files).
	NoLocalFiles bool
	// Stdin is what "-" reads (default os.Stdin).
	Stdin io.Reader
	// Digests computes each input's content digest (Resource.Digest), for
	// the lake's exactly-once ledger.
	Digests bool
	// OnError receives each problem with an input: an *InputError (the
	// input is skipped from that point) or an *ItemError (one item is
	// skipped). Reading goes on. Nil drops them (Stats count them).
	OnError func(error)
}

// InputError is an input that could not be read or understood.
type InputError struct {
	File string
	Err  error
}

func (e *InputError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ItemError is one item of an input that could not become a resource.
type ItemError struct {
	File string
	Item string // "configurationItems[3]", "resource_changes[0] (aws_s3_bucket.b)", "line 4"
	Err  error
}

func (e *ItemError) Error() string { return e.File + ": " + e.Item + ": " + e.Err.Error() }
func (e *ItemError) Unwrap() error { return e.Err }

// Stats count what a reader did.
type Stats struct {
	Inputs    int            // inputs read
	Resources int            // resources emitted
	ByFormat  map[string]int // inputs by format
	Skipped   int            // items that are not resources of a known type (other Config types, deleted resources, unsupported Terraform types)
	Errors    int            // InputErrors and ItemErrors
}

// Reader turns inputs into resources. Inputs that only complete other
// resources (credential reports, flow logs, snapshot attributes, rotation
// statuses, ...) are read first, whatever their order on the command line,
// so that every resource is emitted whole, once; resources that exist only
// as a sum of everything read (the *.Meta types, credential-report users
// that no other input describes) are emitted by Finish.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	opts  ReadOptions
	idx   *index
	meta  *metaState
	stats Stats
	b     builder
	p     fastjson.Parser
	buf   []byte // the input being read (readFile)
}

// NewReader makes a reader.
func NewReader(opts ReadOptions) *Reader {
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Reader{opts: opts, idx: newIndex(), meta: newMetaState(), stats: Stats{ByFormat: map[string]int{}}}
}

// Stats returns the counts so far.
func (r *Reader) Stats() Stats { return r.stats }

func (r *Reader) fail(err error) {
	r.stats.Errors++
	if r.opts.OnError != nil {
		r.opts.OnError(err)
	}
}

// Emit receives each resource. The Resource and its JSON belong to the
// receiver. An error stops the reading and is returned.
type Emit func(*Resource) error

// ReadSources reads the sources (input.Expand's), then Finish. Problems
// with inputs go to OnError; the error returned is emit's or ctx's.
func (r *Reader) ReadSources(ctx context.Context, srcs []input.Source, emit Emit) error {
	// Phase 1: inputs that complete other resources, and stdin (which can
	// be read once only, so it is kept).
	kept := map[int][]byte{}
	later := make([]bool, len(srcs))
	for i, src := range srcs {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, complete, err := r.peek(src.Path)
		if err != nil {
			r.fail(&InputError{File: src.Path, Err: err})
			continue
		}
		if !complete || !isCompletingInput(data) {
			later[i] = true
			if src.Path == "-" {
				full, err := r.readRest(src.Path, data, complete)
				if err != nil {
					r.fail(&InputError{File: src.Path, Err: err})
					later[i] = false
					continue
				}
				kept[i] = full
			}
			continue
		}
		if err := r.ReadBytes(src.Path, data, emit); err != nil {
			return err
		}
	}
	if err := r.endCompleting(emit, false); err != nil {
		return err
	}
	// Phase 2: everything else, one input in memory at a time.
	for i, src := range srcs {
		if !later[i] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data, ok := kept[i]
		if !ok {
			var err error
			if data, err = r.readFile(src.Path); err != nil {
				r.fail(&InputError{File: src.Path, Err: err})
				continue
			}
		}
		delete(kept, i)
		if err := r.ReadBytes(src.Path, data, emit); err != nil {
			return err
		}
	}
	return r.Finish(emit)
}

// peekBytes is how much of an input phase 1 reads to tell its kind.
const peekBytes = 64 << 10

// peek reads the start of an input; complete says whether that is all of
// it (then data is the whole input).
func (r *Reader) peek(path string) (data []byte, complete bool, err error) {
	s, err := r.open(path)
	if err != nil {
		return nil, false, unwrapSource(err)
	}
	defer s.Close()
	if path == "-" {
		// Standard input is read once: keep all of it.
		data, err := readLimited(s, r.opts.MaxFileBytes)
		return data, true, err
	}
	buf := make([]byte, peekBytes+1)
	n, err := io.ReadFull(s, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], true, nil
	case err != nil:
		return nil, false, unwrapSource(err)
	}
	if !isCompletingInput(buf[:n]) {
		return buf[:n], false, nil
	}
	rest, err := readLimited(s, r.opts.MaxFileBytes-int64(n))
	if err != nil {
		return nil, false, err
	}
	return append(buf[:n], rest...), true, nil
}

func (r *Reader) readRest(path string, data []byte, complete bool) ([]byte, error) {
	if complete {
		return data, nil
	}
	return r.readFile(path)
}

// open opens an input, with transparent decompression.
func (r *Reader) open(path string) (*input.Stream, error) {
	if path == "-" && r.opts.Stdin != nil {
		return input.NewStream("-", r.opts.Stdin)
	}
	return input.Open(path)
}

// readFile reads a whole input into the reader's buffer, which the next
// readFile reuses: one input is in memory at a time, and its buffer grows
// to the largest input once rather than for every input.
func (r *Reader) readFile(path string) ([]byte, error) {
	s, err := r.open(path)
	if err != nil {
		return nil, unwrapSource(err)
	}
	defer s.Close()
	max := r.opts.MaxFileBytes
	buf := r.buf[:0]
	if hint := sizeHint(path, s.Compression()); hint > 0 && hint <= max && int64(cap(buf)) < hint+1 {
		// Allocated once at its size: growing by doubling would hold up
		// to three times the input (old and new buffers) at the peak.
		buf = make([]byte, 0, hint+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow (doubling)
		}
		n, err := s.Read(buf[len(buf):min(cap(buf), int(max)+1)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			r.buf = buf[:0]
			return nil, fmt.Errorf("%w: over the %s limit (--max-file-size)", ErrTooLarge, input.FormatSize(max))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			r.buf = buf[:0]
			return nil, unwrapSource(err)
		}
	}
	r.buf = buf[:0]
	return buf, nil
}

// sizeHint is the decompressed size of a file when it can be known
// cheaply: the size of a plain file, the ISIZE trailer of a gzip file
// (the size modulo 4 GiB of its last member: a hint, not a promise).
// 0 when unknown.
func sizeHint(path string, comp input.Compression) int64 {
	if path == "-" {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	switch comp {
	case input.Plain:
		return st.Size()
	case input.Gzip:
		var b [4]byte
		if st.Size() < 18 {
			return 0
		}
		if _, err := f.ReadAt(b[:], st.Size()-4); err != nil {
			return 0
		}
		if n := int64(binary.LittleEndian.Uint32(b[:])); n >= st.Size()/2 {
			return n
		}
	}
	return 0
}

// ErrTooLarge is the error of an input over ReadOptions.MaxFileBytes.
var ErrTooLarge = errors.New("input too large")

func readLimited(rd io.Reader, max int64) ([]byte, error) {
	if max < 0 {
		max = 0
	}
	data, err := io.ReadAll(io.LimitReader(rd, max+1))
	if err != nil {
		return nil, unwrapSource(err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: over the %s limit (--max-file-size)", ErrTooLarge, input.FormatSize(max))
	}
	return data, nil
}

// unwrapSource drops the file name an input.SourceError carries, since
// InputError says it.
func unwrapSource(err error) error {
	var se *input.SourceError
	if errors.As(err, &se) {
		return se.Err
	}
	return err
}

// ReadBytes reads one whole input held in memory (a file, an HTTP body).
// Completing inputs (flow logs, credential reports...) read here complete
// only the resources read after them; ReadSources orders inputs so that
// this never matters. Call Finish after the last input.
func (r *Reader) ReadBytes(name string, data []byte, emit Emit) error {
	r.stats.Inputs++
	r.b.reset()
	defer r.b.reset()
	src := &source{r: r, name: name, b: &r.b, emit: emit}
	if r.opts.Digests {
		sum := sha256.Sum256(data)
		src.digest = "scan:" + hex.EncodeToString(sum[:])
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		r.fail(&InputError{File: name, Err: errors.New("empty input")})
		return nil
	}
	// Config snapshot and history files are read item by item; the rest
	// is parsed whole.
	if fastjson.ValidateBytes(trimmed) == nil {
		if ok, err := src.readConfigStream(trimmed); ok || err != nil {
			return err
		}
	}
	v, err := r.p.ParseBytes(trimmed)
	if err != nil {
		if trimmed[0] == '{' && bytes.IndexByte(trimmed, '\n') > 0 {
			return src.readLines(trimmed)
		}
		r.fail(&InputError{File: name, Err: fmt.Errorf("not JSON: %v", err)})
		return nil
	}
	return src.readValue(v, "")
}

// readLines reads NDJSON: each line one document.
func (s *source) readLines(data []byte) error {
	var p fastjson.Parser
	line := 0
	for len(data) > 0 {
		line++
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		v, err := p.ParseBytes(l)
		if err != nil {
			s.r.fail(&ItemError{File: s.name, Item: "line " + strconv.Itoa(line), Err: fmt.Errorf("not JSON: %v", err)})
			continue
		}
		// Values of this line live until the next parse: emit before it.
		if err := s.readValue(v, "line "+strconv.Itoa(line)); err != nil {
			return err
		}
		s.b.reset()
	}
	return nil
}

// source is one input being read.
type source struct {
	r      *Reader
	name   string
	format string
	b      *builder
	emit   Emit
	local  *index // Config files: the joins within the file
	digest string
	counts bool // format counted
}

func (s *source) setFormat(f string) {
	s.format = f
	if !s.counts {
		s.counts = true
		s.r.stats.ByFormat[f]++
	}
}

// readValue dispatches a document on its shape.
func (s *source) readValue(v *fastjson.Value, item string) error {
	if v.Type() == fastjson.TypeArray {
		for i, el := range arrayOf(v) {
			it := item
			if it == "" {
				it = "[" + strconv.Itoa(i) + "]"
			} else {
				it += "[" + strconv.Itoa(i) + "]"
			}
			if err := s.readValue(el, it); err != nil {
				return err
			}
		}
		return nil
	}
	if v.Type() != fastjson.TypeObject {
		s.r.fail(&InputError{File: s.name, Err: fmt.Errorf("%sexpected a JSON object, found %s", prefix(item), v.Type())})
		return nil
	}
	switch {
	case v.Exists("configurationItems") || v.Exists("baseConfigurationItems") || v.Exists("configurationItem"):
		s.setFormat("aws-config")
		return s.readConfig(v, item)
	case v.Exists("Results") && v.Exists("QueryInfo"):
		s.setFormat("aws-config")
		return s.readConfigSelect(v, item)
	case isConfigItem(v):
		s.setFormat("aws-config")
		return s.readConfigItems(treeItems([]*fastjson.Value{v}), item)
	case v.Exists("resource_changes") || v.Exists("planned_values") && v.Exists("format_version"):
		s.setFormat("terraform-plan")
		return s.readTerraform(v)
	case v.Exists("ResourceType") && v.Exists("ResourceId"):
		s.setFormat("panther")
		return s.readNative(v, item)
	}
	if h := cliHandlerFor(v); h != nil {
		s.setFormat("aws-cli")
		return h.read(s, v, item)
	}
	s.r.fail(&InputError{File: s.name, Err: fmt.Errorf("%snot an input panther scan reads (keys %s): AWS Config snapshots, history files and API output, AWS CLI output, Terraform plans (terraform show -json) and Panther resources are; see docs/scan.md", prefix(item), keyList(v))})
	return nil
}

func prefix(item string) string {
	if item == "" {
		return ""
	}
	return item + ": "
}

func keyList(v *fastjson.Value) string {
	ks := keysOf(v)
	if len(ks) > 6 {
		ks = append(ks[:6], "...")
	}
	var b bytes.Buffer
	for i, k := range ks {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(k))
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// Finish emits what only the sum of the inputs makes: the credential
// report's users that no other input described, and the *.Meta resources.
func (r *Reader) Finish(emit Emit) error {
	r.b.reset()
	defer r.b.reset()
	s := &source{r: r, name: "(scan)", b: &r.b, emit: emit, format: "derived"}
	if err := r.endCompleting(emit, true); err != nil {
		return err
	}
	if err := r.idx.emitUnjoinedUsers(s); err != nil {
		return err
	}
	s.name, s.format = "(scan)", "derived"
	return r.meta.emit(s)
}

// defaultAccount is the account of inputs that do not say theirs.
func (r *Reader) defaultAccount() string {
	if r.opts.Account != "" {
		return r.opts.Account
	}
	return r.meta.onlyAccount()
}
