package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"panther/parsers/classifier"
	"panther/parsers/logtypes"
	"panther/parsers/parsertest"
)

// parseCLI runs the CLI with stdin and returns its output and exit code.
func parseCLI(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	app := &App{
		IO:        TestIO(strings.NewReader(stdin), &out, &errOut),
		Now:       func() time.Time { return time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC) },
		Getenv:    func(string) string { return "" },
		WorkDir:   dir,
		ConfigDir: filepath.Join(dir, ".no-user-config"),
	}
	code = Execute(context.Background(), app, args)
	return out.String(), errOut.String(), code
}

// families is how many candidates the classifier tries on a record no type
// takes, with the default registry (it grows as parsers are added).
func families() int { return len(classifier.New(logtypes.Default()).Order()) }

const goodLine = `{"eventVersion":"1.09","eventTime":"2024-04-02T08:15:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"203.0.113.9"}`

// The events of the fixtures, exactly (p_row_id depends on the file name,
// so the test runs from the package directory with relative paths).
func TestParseGolden(t *testing.T) {
	t.Parallel()
	out, errOut, code := parseCLI(t, "", "parse", "--label", "fixtures", "testdata/parse/cloudtrail.jsonl", "testdata/parse/records.json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden := "testdata/parse/cloudtrail.golden.jsonl"
	if *parsertest.Update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with go test -run TestParseGolden -update, then read it)", err)
	}
	if out != string(want) {
		t.Errorf("stdout differs from %s:\n%s", golden, out)
	}
	// Checks that do not trust the golden file.
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d events, want 5", len(lines))
	}
	rowIDs := map[string]bool{}
	for i, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		if ev["p_log_type"] != "AWS.CloudTrail" || ev["p_source_label"] != "fixtures" || ev["p_parse_time"] != "2024-06-01T00:00:00Z" {
			t.Errorf("event %d: standard fields %v %v %v", i+1, ev["p_log_type"], ev["p_source_label"], ev["p_parse_time"])
		}
		rowIDs[ev["p_row_id"].(string)] = true
	}
	if len(rowIDs) != 5 {
		t.Errorf("p_row_id not unique: %v", rowIDs)
	}
	if !strings.Contains(lines[4], `"p_event_time":"2024-04-03T22:01:40Z","p_parse_time":"2024-06-01T00:00:00Z","p_row_id":"`) ||
		!strings.Contains(lines[4], `"p_source_file":"testdata/parse/records.json"`) {
		t.Errorf("last event: %s", lines[4])
	}
	// Same input, same row ids: a replay is repeatable.
	again, _, _ := parseCLI(t, "", "parse", "--label", "fixtures", "testdata/parse/cloudtrail.jsonl", "testdata/parse/records.json")
	if again != out {
		t.Error("a second run gives other output")
	}
}

// Standard input, by default and as "-".
func TestParseStdin(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"parse"}, {"parse", "-"}, {"parse", "--log-type", "AWS.CloudTrail", "-"}} {
		out, errOut, code := parseCLI(t, goodLine+"\n\n"+goodLine+"\n", args...)
		if code != 0 || errOut != "" || strings.Count(out, `"p_source_file":"-"`) != 2 {
			t.Errorf("%v: exit %d, stderr %q, stdout %s", args, code, errOut, out)
		}
	}
}

func TestParseBadRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	n := families()

	truncated := write("truncated.jsonl", []byte(goodLine+"\n"+goodLine[:40]+"\n"+goodLine+"\n"))
	huge := write("huge.log", []byte(goodLine+"\n"+strings.Repeat("x", 50<<20)+"\n"+goodLine+"\n"))
	utf := write("utf8.jsonl", []byte(strings.Replace(goodLine, "GetObject", "Get\xff\xfeObject", 1)+"\n"))
	malformed := write("malformed.json", []byte("[\n"+goodLine+"\n"+goodLine+"]"))
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	garbage[0] = 'G' // not a compression magic by chance
	bin := write("garbage.bin", garbage)

	tests := []struct {
		name       string
		args       []string
		wantOut    int // events
		wantErr    string
		wantCode   int
		wantSubstr string // in stdout
	}{
		{"truncated JSON line", []string{truncated}, 2,
			fmt.Sprintf("%s:2: no log type matches; tried %d types (AWS.CloudTrail: cannot parse JSON: cannot parse object: cannot parse object value: cannot parse string: missing closing '\"'; unparsed tail: \"\")\n"+
				"panther: 1 of 3 records rejected\n", truncated, n), 1, ""},
		{"truncated JSON line, log type given", []string{"--log-type", "AWS.CloudTrail", truncated}, 2,
			truncated + ":2: cannot parse JSON: cannot parse object: cannot parse object value: cannot parse string: missing closing '\"'; unparsed tail: \"\"\n" +
				"panther: 1 of 3 records rejected\n", 1, ""},
		{"50 MB line", []string{"--log-type", "AWS.CloudTrail", huge}, 2,
			huge + ":2: record of 52428800 bytes exceeds the 16 MiB limit\npanther: 1 of 3 records rejected\n", 1, ""},
		{"invalid UTF-8 is replaced, the event kept", []string{utf}, 1, "", 0, `"eventName":"Get\ufffd\ufffdObject"`},
		{"malformed JSON array", []string{malformed}, 1,
			malformed + ":3: malformed JSON: expected , or ] after an array element, found '{'\npanther: 1 of 2 records rejected\n", 1, ""},
		{"quiet", []string{"--quiet", truncated}, 2, "panther: 1 of 3 records rejected\n", 1, ""},
		{"summary", []string{"--quiet", "--summary", truncated, utf}, 3,
			"2 inputs, 4 records: 3 events, 0 headers, 1 rejected\n  AWS.CloudTrail          3\npanther: 1 of 4 records rejected\n", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, errOut, code := parseCLI(t, "", append([]string{"parse"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if errOut != tt.wantErr {
				t.Errorf("stderr\n%s\nwant\n%s", errOut, tt.wantErr)
			}
			if got := strings.Count(out, "\n"); got != tt.wantOut {
				t.Errorf("%d events, want %d", got, tt.wantOut)
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if l != "" && !json.Valid([]byte(l)) {
					t.Errorf("invalid JSON out: %q", l)
				}
			}
			if !strings.Contains(out, tt.wantSubstr) {
				t.Errorf("stdout lacks %s:\n%s", tt.wantSubstr, out)
			}
		})
	}

	// Binary garbage: every line rejected, none printed, no panic.
	t.Run("binary garbage", func(t *testing.T) {
		t.Parallel()
		out, errOut, code := parseCLI(t, "", "parse", bin)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		last := lines[len(lines)-1]
		if code != 1 || out != "" || !strings.HasPrefix(last, "panther: ") || !strings.HasSuffix(last, " records rejected") {
			t.Fatalf("exit %d, stdout %q, last stderr line %q", code, out, last)
		}
		var rejected, records int
		fmt.Sscanf(last, "panther: %d of %d records rejected", &rejected, &records)
		if rejected != records || rejected != len(lines)-1 || rejected == 0 {
			t.Errorf("%d of %d rejected, %d reported", rejected, records, len(lines)-1)
		}
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, bin+":") || !strings.Contains(l, ": no log type matches; tried ") {
				t.Errorf("report %q", l)
				break
			}
		}
	})
}

// Inputs that cannot be read are reported, the others parsed, exit 3.
func TestParseInputErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	if err := os.WriteFile(good, []byte(goodLine+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(dir, "loop.log") // unreadable, even for root
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for range 3000 {
		text.WriteString(goodLine + "\n")
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text.String()))
	w.Close()
	cut := filepath.Join(dir, "cut.json.gz")
	if err := os.WriteFile(cut, gz.Bytes()[:gz.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.log")

	out, errOut, code := parseCLI(t, "", "parse", missing, loop, good)
	want := missing + ": stat: no such file or directory\n" +
		loop + ": stat: too many levels of symbolic links\n" +
		"panther: 2 of 3 inputs could not be read (completely)\n"
	if code != ExitOperational || errOut != want || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d\nstderr %s\nwant %s\nstdout %s", code, errOut, want, out)
	}

	out, errOut, code = parseCLI(t, "", "parse", "--log-type", "AWS.CloudTrail", cut, good)
	events := strings.Count(out, "\n")
	if code != ExitOperational || events < 2 || events > 3000 {
		t.Fatalf("exit %d, %d events; stderr %s", code, events, errOut)
	}
	// The events before the damage, then the error at the next line, then
	// the next file.
	want = fmt.Sprintf("%s:%d: truncated gzip stream (unexpected EOF)\npanther: 1 of 2 inputs could not be read (completely)\n", cut, events)
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	lastEvent := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
	if !strings.Contains(lastEvent, `"p_source_file":"`+good+`"`) {
		t.Error("the file after the damaged one was not parsed")
	}

	if os.Getuid() != 0 {
		locked := filepath.Join(dir, "locked.log")
		os.WriteFile(locked, []byte(goodLine), 0o000)
		if _, errOut, code := parseCLI(t, "", "parse", locked); code != ExitOperational || !strings.Contains(errOut, "permission denied") {
			t.Errorf("unreadable file: exit %d %s", code, errOut)
		}
	}
}

func TestParseDeadLetter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.log")
	data := goodLine + "\n" + "not json\n" + "bin\xff\n" + strings.Repeat("y", 40) + "\n"
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(dir, "dead.jsonl")
	out, errOut, code := parseCLI(t, "", "parse", "--quiet", "--log-type", "AWS.CloudTrail", "--max-record-bytes", "32", "--dead-letter", dead, in)
	if code != 1 || strings.Count(out, "\n") != 0 || errOut != "panther: 4 of 4 records rejected\n" {
		// The good line is over 32 bytes too.
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	got, err := os.ReadFile(dead)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`{"file":%q,"line":1,"offset":1,"reason":"record of %d bytes exceeds the 32 bytes limit","size":%d}
{"file":%q,"line":2,"offset":2,"reason":"cannot parse JSON: unexpected value found: \"not json\"; unparsed tail: \"not json\"","record":"not json"}
{"file":%q,"line":3,"offset":3,"reason":"cannot parse JSON: a record must be a JSON object, starting with '{'","record_base64":"Ymlu/w=="}
{"file":%q,"line":4,"offset":4,"reason":"record of 40 bytes exceeds the 32 bytes limit","size":40}
`, in, len(goodLine), len(goodLine), in, in, in)
	if string(got) != want {
		t.Errorf("dead letters\n%s\nwant\n%s", got, want)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		if !json.Valid([]byte(l)) {
			t.Errorf("dead letter is not JSON: %s", l)
		}
	}
}

func TestParseUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"parse", "--log-type", "AWS.Cloudtrail"}, `panther: unknown log type "AWS.Cloudtrail" (did you mean AWS.CloudTrail?); 'panther logtypes' lists them` + "\n"},
		{[]string{"parse", "--log-type", "Nothing.Like.It"}, `panther: unknown log type "Nothing.Like.It"; 'panther logtypes' lists them` + "\n"},
		{[]string{"parse", "--max-record-bytes", "lots"}, `panther: --max-record-bytes: "lots" is not a size between 1 byte and 2 GiB (like 16MiB)` + "\n"},
		{[]string{"parse", "--max-record-bytes", "3GiB"}, `panther: --max-record-bytes: "3GiB" is not a size between 1 byte and 2 GiB (like 16MiB)` + "\n"},
	}
	for _, tt := range tests {
		out, errOut, code := parseCLI(t, goodLine, tt.args...)
		if code != ExitUsage || errOut != tt.want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"1": 1, "1048576": 1 << 20, "16MiB": 16 << 20, "16M": 16 << 20, "512KiB": 512 << 10, "1GiB": 1 << 30, "2MB": 2e6, " 8 KiB ": 8 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1TiB", "12XB", "MiB", "2GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain: ok\tté":           "plain: ok\tté",
		"evil \x1b[31mred\x1b[0m": `evil \x1b[31mred\x1b[0m`,
		"bad \xff byte":           `bad \xff byte`,
		"new\nline\r":             `new\nline\r`,
		"c1 \u0085 char":          `c1 \u0085 char`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// An interrupted parse stops with exit 130 and keeps what it printed.
func TestParseInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	dir := t.TempDir()
	app := &App{IO: TestIO(strings.NewReader(goodLine+"\n"), &out, &errOut), Now: time.Now,
		Getenv: func(string) string { return "" }, WorkDir: dir, ConfigDir: dir}
	if code := Execute(ctx, app, []string{"parse"}); code != ExitInterrupted || errOut.String() != "panther: interrupted\n" {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}
