package decode

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"panther/parsers"
	"panther/parsers/input"
	"panther/parsers/logtypes"
)

var clock = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

const ctLine = `{"eventVersion":"1.09","eventTime":"2024-04-02T08:15:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.9"}`

const zeekTSV = "#separator \\x09\n#fields\tts\tts_delta\tpeer\tgaps\tacks\tpercent_lost\n" +
	"#types\ttime\tinterval\tstring\tcount\tcount\tdouble\n" +
	"1711965624.000000\t900.000000\tzeek\t12\t100431\t0.011948\n"

func newDecoder(o Options) *Decoder {
	if o.Registry == nil {
		o.Registry = logtypes.Default()
	}
	o.Now = func() time.Time { return clock }
	return New(o)
}

// drain reads a stream to its end: the events as log type names, the bad
// records as their report lines, and the source error.
func drain(t *testing.T, st *Stream) (events []string, bad []string, srcErr error) {
	t.Helper()
	for {
		it, err := st.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			return events, bad, err
		}
		switch {
		case it.Bad != nil:
			bad = append(bad, it.Bad.String())
		case it.Event != nil:
			events = append(events, it.Event.LogType)
			if it.Event.SourceFile != st.Name() || it.Event.RowID == "" || !it.Event.ParseTime.Equal(clock) {
				t.Errorf("standard fields: file %q row %q parse time %v", it.Event.SourceFile, it.Event.RowID, it.Event.ParseTime)
			}
			it.Event.Release()
		default:
			t.Fatal("Next returned an empty item")
		}
	}
}

func TestStreamClassifiesAndRejects(t *testing.T) {
	t.Parallel()
	in := ctLine + "\n\nnot a log line at all \x01\n" + ctLine + "\n"
	st, err := newDecoder(Options{}).Source("mixed.log").NewStream(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	events, bad, srcErr := drain(t, st)
	if srcErr != nil || len(events) != 2 || events[0] != "AWS.CloudTrail" {
		t.Fatalf("events %v, error %v", events, srcErr)
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0], "mixed.log:3: no log type matches") {
		t.Errorf("bad records %q", bad)
	}
	if s := st.Stats(); s != (Stats{Records: 3, Events: 2, Rejected: 1}) {
		t.Errorf("stats %+v", s)
	}
}

func TestHeadersAreSkippedAndCounted(t *testing.T) {
	t.Parallel()
	st, err := newDecoder(Options{}).Source("capture_loss.log").NewStream(strings.NewReader(zeekTSV))
	if err != nil {
		t.Fatal(err)
	}
	events, bad, srcErr := drain(t, st)
	if srcErr != nil || len(bad) != 0 || len(events) != 1 || events[0] != "Zeek.CaptureLoss" {
		t.Fatalf("events %v, bad %v, error %v", events, bad, srcErr)
	}
	if s := st.Stats(); s.Headers != 3 || s.Events != 1 || s.Records != 4 {
		t.Errorf("stats %+v", s)
	}
}

func TestForcedLogType(t *testing.T) {
	t.Parallel()
	reg := logtypes.Default()
	lt, _ := reg.Lookup("AWS.CloudTrail")
	dec := newDecoder(Options{Registry: reg, LogType: lt, Label: "prod"})
	st, _ := dec.Source("x").NewStream(strings.NewReader(ctLine + "\n" + ctLine[:40] + "\n"))
	var labels []string
	var bad []*BadRecord
	err := st.Each(func(it Item) error {
		if it.Bad != nil {
			bad = append(bad, it.Bad)
			return nil
		}
		labels = append(labels, it.Event.SourceLabel)
		it.Event.Release()
		return nil
	})
	if err != nil || len(labels) != 1 || labels[0] != "prod" {
		t.Fatalf("labels %v, err %v", labels, err)
	}
	// The forced type's own error, not "no log type matches".
	if len(bad) != 1 || !strings.HasPrefix(bad[0].Reason, "cannot parse JSON") || bad[0].Line != 2 || bad[0].Offset != 2 {
		t.Errorf("bad %+v", bad)
	}
}

func TestMalformedJSONIsOneBadRecordThatEndsTheStream(t *testing.T) {
	t.Parallel()
	in := "[\n" + ctLine + "\n" + ctLine + "]"
	st, _ := newDecoder(Options{}).Source("broken.json").NewStream(strings.NewReader(in))
	events, bad, srcErr := drain(t, st)
	if srcErr != nil || len(events) != 1 {
		t.Fatalf("events %v, error %v", events, srcErr)
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0], "broken.json:3: malformed JSON") {
		t.Errorf("bad %q", bad)
	}
	if _, err := st.Next(); err != io.EOF {
		t.Errorf("after the malformed document: %v", err)
	}
}

func TestTooLargeRecordCarriesItsSize(t *testing.T) {
	t.Parallel()
	in := ctLine + "\n" + strings.Repeat("x", 5000) + "\n" + ctLine + "\n"
	st, _ := newDecoder(Options{MaxRecordBytes: 1024, KeepBadRecords: true}).Source("big.log").NewStream(strings.NewReader(in))
	var bad *BadRecord
	n := 0
	st.Each(func(it Item) error {
		if it.Bad != nil {
			bad = it.Bad
		} else {
			n++
			it.Event.Release()
		}
		return nil
	})
	if n != 2 || bad == nil || bad.Size != 5000 || bad.Data != nil || bad.Line != 2 {
		t.Fatalf("events %d, bad %+v", n, bad)
	}
	got := string(bad.AppendJSON(nil))
	want := `{"file":"big.log","line":2,"offset":2,"reason":"record of 5000 bytes exceeds the 1 KiB limit","size":5000}` + "\n"
	if got != want {
		t.Errorf("dead letter\n%s\nwant\n%s", got, want)
	}
}

func TestDamagedCompressionIsASourceErrorAfterTheRecordsBeforeIt(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Repeat(ctLine+"\n", 3000)))
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	dir := t.TempDir()
	path := filepath.Join(dir, "cut.json.gz")
	if err := os.WriteFile(path, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := newDecoder(Options{}).Source(path).Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, bad, srcErr := drain(t, st)
	var se *input.SourceError
	if !errors.As(srcErr, &se) || !strings.Contains(srcErr.Error(), "truncated gzip") || len(events) == 0 || len(bad) != 0 {
		t.Fatalf("%d events, bad %v, error %v", len(events), bad, srcErr)
	}
	if st.RawBytes() != int64(len(cut)) {
		t.Errorf("raw bytes %d of %d", st.RawBytes(), len(cut))
	}
	if _, err := newDecoder(Options{}).Source("nope").Open(filepath.Join(dir, "nope")); !errors.As(err, &se) {
		t.Errorf("missing file: %v", err)
	}
}

func TestRecordsOneAtATime(t *testing.T) {
	t.Parallel()
	src := newDecoder(Options{KeepBadRecords: true}).Source("syslog://192.0.2.1")
	// A header and a record of a Zeek TSV stream, one frame each, keep
	// their state in the source.
	lines := strings.Split(strings.TrimSuffix(zeekTSV, "\n"), "\n")
	for i, l := range lines[:3] {
		if it := src.Record([]byte(l), i+1, int64(i+1)); it.Event != nil || it.Bad != nil {
			t.Fatalf("header %d: %+v", i, it)
		}
	}
	it := src.Record([]byte(lines[3]), 4, 1000)
	if it.Event == nil || it.Event.LogType != "Zeek.CaptureLoss" || it.Event.RowID != parsers.RowID("syslog://192.0.2.1", 1000) || it.Event.Line != 4 {
		t.Fatalf("event %+v", it)
	}
	it.Event.Release()
	it = src.Record([]byte("\xff\xfe binary"), 5, 1001)
	if it.Bad == nil || !bytes.Equal(it.Bad.Data, []byte("\xff\xfe binary")) || it.Bad.Offset != 1001 {
		t.Fatalf("bad %+v", it.Bad)
	}
	if !strings.Contains(string(it.Bad.AppendJSON(nil)), `"record_base64":"//4gYmluYXJ5"`) {
		t.Errorf("dead letter %s", it.Bad.AppendJSON(nil))
	}
	if s := src.Stats(); s != (Stats{Records: 5, Events: 1, Headers: 3, Rejected: 1}) {
		t.Errorf("stats %+v", s)
	}
}

// A forked source starts without the parser state of the first (a Zeek
// body without its header is rejected) but with its learned order.
func TestForkStartsFresh(t *testing.T) {
	t.Parallel()
	first := newDecoder(Options{}).Source("a.log")
	for i, l := range strings.Split(strings.TrimSuffix(zeekTSV, "\n"), "\n") {
		if it := first.Record([]byte(l), i+1, int64(i+1)); it.Event != nil {
			it.Event.Release()
		}
	}
	next := first.Fork("b.log")
	body := strings.Split(strings.TrimSuffix(zeekTSV, "\n"), "\n")[3]
	if it := next.Record([]byte(body), 1, 1); it.Bad == nil {
		t.Fatalf("a Zeek record without its header parsed in a fresh source: %+v", it)
	}
	if next.Name() != "b.log" {
		t.Errorf("name %q", next.Name())
	}
}

func TestJSONEvent(t *testing.T) {
	t.Parallel()
	reg := logtypes.Default()
	e, err := JSONEvent(reg, "AWS.CloudTrail", []byte(ctLine), parsers.Source{File: "rule.yml"}, 7, clock)
	if err != nil {
		t.Fatal(err)
	}
	if e.LogType != "AWS.CloudTrail" || e.RowID != parsers.RowID("rule.yml", 7) || e.Time.Year() != 2024 {
		t.Errorf("event %s %s %v", e.LogType, e.RowID, e.Time)
	}
	var m map[string]any
	json.Unmarshal(e.AppendJSON(nil), &m)
	if ips, _ := m["p_any_ip_addresses"].([]any); len(ips) != 1 {
		t.Errorf("indicators: %v", m["p_any_ip_addresses"])
	}
	e.Release()
	// p_log_type in the JSON wins; an unknown type only names the event.
	e, _ = JSONEvent(reg, "AWS.CloudTrail", []byte(`{"p_log_type":"AWS.S3.Bucket","a":1}`), parsers.Source{}, 1, clock)
	if e.LogType != "AWS.S3.Bucket" || e.RowID != "" {
		t.Errorf("resource: %s %q", e.LogType, e.RowID)
	}
	e.Release()
	if _, err := JSONEvent(reg, "", []byte(`{"a":`), parsers.Source{}, 1, clock); err == nil {
		t.Error("broken JSON accepted")
	}
}

// FuzzStream: whatever the bytes, the stream ends (EOF or a source error)
// without a panic, every event marshals to valid JSON and every bad record
// to a valid dead letter.
func FuzzStream(f *testing.F) {
	for _, s := range []string{ctLine + "\n", zeekTSV, "[" + ctLine + "," + ctLine + "]", `{"Records":[` + ctLine + `]}`,
		"<13>Feb  5 17:32:18 host sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2\n", "\x1f\x8b\x08", "[\n{"} {
		f.Add([]byte(s))
	}
	dec := New(Options{Registry: logtypes.Default(), MaxRecordBytes: 1 << 16, KeepBadRecords: true, Now: func() time.Time { return clock }})
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := dec.Source("fuzz").NewStream(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; ; i++ {
			if i > len(data)+10 {
				t.Fatal("the stream does not end")
			}
			it, err := st.Next()
			if err != nil {
				return
			}
			if it.Bad != nil {
				if dl := it.Bad.AppendJSON(nil); !json.Valid(dl) {
					t.Fatalf("dead letter %s", dl)
				}
				continue
			}
			if out := it.Event.AppendJSON(nil); !json.Valid(out) {
				t.Fatalf("event %s", out)
			}
			it.Event.Release()
		}
	})
}

// A live input decodes entry after entry, each with its own label, clock
// and offsets, keeping what the classifier learned.
func TestContinueAndOffsetBase(t *testing.T) {
	t.Parallel()
	reg := logtypes.Default()
	first := New(Options{Registry: reg, Label: "a", Now: func() time.Time { return clock }}).Source("conn")
	if it := first.Record([]byte(ctLine), 1, 1); it.Event == nil {
		t.Fatal(it.Bad)
	} else {
		it.Event.Release()
	}
	later := clock.Add(time.Hour)
	dec := New(Options{Registry: reg, Label: "b", OffsetBase: 7 << 24, Now: func() time.Time { return later }})
	st, err := dec.Continue(first, "conn").NewStream(strings.NewReader(ctLine + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	it, err := st.Next()
	if err != nil || it.Event == nil {
		t.Fatalf("%v %+v", err, it)
	}
	e := it.Event
	if e.SourceLabel != "b" || !e.ParseTime.Equal(later) || e.RowID != parsers.RowID("conn", 7<<24+1) {
		t.Errorf("label %q, parse time %v, row id %s", e.SourceLabel, e.ParseTime, e.RowID)
	}
	e.Release()
}
