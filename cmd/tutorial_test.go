package cmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTutorial runs docs/first-detection.md, every code block of it:
//
//   - ```sh: each line is a command: panther (in-process, as the CLI;
//     "&" at the end runs it in the background until the test ends), cd,
//     export, cat FILE, and curl with -sS, -H and --data-binary @FILE. A
//     comment "# exit N" says the exit code expected (default 0); "# retry"
//     reruns the block's last command for up to 20 s until its output
//     block matches (the live pipeline works asynchronously).
//   - ```LANG file=PATH: the file is written, as shown, under the current
//     folder.
//   - ```text: each of its lines must appear, in order, in what the sh
//     block before it printed.
//
// Any other block fails the test: the tutorial shows nothing that is not
// run. The harness sets SAMPLES to testdata/samples (the reader's own
// "export SAMPLES=..." is theirs) and gives serve a free port in place of
// 8080.
func TestTutorial(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "first-detection.md"))
	if err != nil {
		t.Fatal(err)
	}
	samples, err := filepath.Abs(filepath.Join("..", "testdata", "samples"))
	if err != nil {
		t.Fatal(err)
	}
	h := &tutorial{t: t, dir: t.TempDir(), env: map[string]string{"SAMPLES": samples, "HOME": t.TempDir()}, fixed: map[string]bool{"SAMPLES": true, "HOME": true}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	ln.Close()
	t.Chdir(h.dir)
	blocks := mdBlocks(string(doc))
	if len(blocks) < 10 {
		t.Fatalf("%d code blocks in the tutorial", len(blocks))
	}
	for i, b := range blocks {
		var next *mdBlock
		if i+1 < len(blocks) && blocks[i+1].info == "text" {
			next = &blocks[i+1]
		}
		if !h.block(b, next) {
			return
		}
	}
}

type mdBlock struct {
	info string
	line int // of the opening fence
	body string
}

// mdBlocks returns the fenced code blocks of a Markdown text.
func mdBlocks(doc string) []mdBlock {
	var out []mdBlock
	var cur *mdBlock
	var body []string
	for i, l := range strings.Split(doc, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &mdBlock{info: strings.TrimSpace(l[3:]), line: i + 1}
			body = nil
		case cur != nil && strings.TrimSpace(l) == "```":
			cur.body = strings.Join(body, "\n")
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, l)
		}
	}
	return out
}

type tutorial struct {
	t     *testing.T
	dir   string // the current folder
	addr  string // serve's
	env   map[string]string
	fixed map[string]bool
	out   bytes.Buffer // what the current sh block printed
}

// block runs one code block; it returns false when the tutorial cannot go on.
func (h *tutorial) block(b mdBlock, output *mdBlock) bool {
	t := h.t
	lang, attr, _ := strings.Cut(b.info, " ")
	switch {
	case lang == "text":
		return true // checked with the sh block before it
	case strings.HasPrefix(attr, "file="):
		p := filepath.Join(h.dir, strings.TrimPrefix(attr, "file="))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return true
	case lang != "sh":
		t.Errorf("line %d: a ```%s block the test does not run (sh, LANG file=PATH or text)", b.line, b.info)
		return true
	}
	cmds := shLines(b.body)
	h.out.Reset()
	for i, c := range cmds {
		last := i == len(cmds)-1
		deadline := time.Now()
		if last && c.retry {
			deadline = deadline.Add(20 * time.Second)
		}
		for {
			mark := h.out.Len()
			code := h.run(b.line, c)
			ok := code == c.exit
			var missing string
			if ok && last && output != nil {
				missing = missingLine(output.body, h.out.String())
				ok = missing == ""
			}
			if ok {
				break
			}
			if time.Now().Before(deadline) {
				h.out.Truncate(mark)
				time.Sleep(200 * time.Millisecond)
				continue
			}
			if code != c.exit {
				t.Errorf("line %d: %s: exit %d, want %d\n%s", b.line, c.text, code, c.exit, h.out.String())
			} else {
				t.Errorf("line %d: the output lacks %q (output block at line %d):\n%s", b.line, missing, output.line, h.out.String())
			}
			return false
		}
	}
	return true
}

// missingLine returns the first line of want that is not found, in order,
// in got ("" when all are).
func missingLine(want, got string) string {
	for _, l := range strings.Split(want, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		i := strings.Index(got, l)
		if i < 0 {
			return l
		}
		got = got[i+len(l):]
	}
	return ""
}

type shLine struct {
	text  string
	words []string
	exit  int
	retry bool
	bg    bool
}

// shLines reads the commands of a sh block: comments hold directives.
func shLines(body string) []shLine {
	var out []shLine
	for _, l := range strings.Split(strings.ReplaceAll(body, "\\\n", " "), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		c := shLine{}
		if i := strings.Index(l, "  #"); i >= 0 {
			comment := l[i+3:]
			l = strings.TrimSpace(l[:i])
			fmt.Sscanf(strings.TrimSpace(comment), "exit %d", &c.exit)
			c.retry = strings.Contains(comment, "retry")
		}
		if strings.HasSuffix(l, " &") {
			c.bg, l = true, strings.TrimSuffix(l, " &")
		}
		c.text = l
		out = append(out, c)
	}
	return out
}

// words splits a command line as sh would: quotes, $VAR and ${VAR}.
func (h *tutorial) words(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed '")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unclosed \"")
			}
			cur.WriteString(h.expand(s[i+1 : i+1+j]))
			i += j + 1
			inWord = true
		case c == '$':
			j := i + 1
			if j < len(s) && s[j] == '{' {
				k := strings.IndexByte(s[j:], '}')
				if k < 0 {
					return nil, fmt.Errorf("unclosed ${")
				}
				cur.WriteString(h.env[s[j+1:j+k]])
				i = j + k
			} else {
				for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
					j++
				}
				cur.WriteString(h.env[s[i+1:j]])
				i = j - 1
			}
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

func (h *tutorial) expand(s string) string {
	return os.Expand(s, func(k string) string { return h.env[k] })
}

// run runs one command and returns its exit code.
func (h *tutorial) run(line int, c shLine) int {
	t := h.t
	words, err := h.words(strings.ReplaceAll(c.text, "127.0.0.1:8080", h.addr))
	if err != nil || len(words) == 0 {
		t.Fatalf("line %d: %q: %v", line, c.text, err)
	}
	switch words[0] {
	case "cd":
		h.dir = filepath.Join(h.dir, words[1])
		t.Chdir(h.dir)
		return 0
	case "export":
		for _, kv := range words[1:] {
			k, v, _ := strings.Cut(kv, "=")
			if !h.fixed[k] {
				h.env[k] = v
				t.Setenv(k, v)
			}
		}
		return 0
	case "cat":
		b, err := os.ReadFile(filepath.Join(h.dir, words[1]))
		if err != nil {
			fmt.Fprintln(&h.out, err)
			return 1
		}
		h.out.Write(b)
		return 0
	case "curl":
		return h.curl(line, words[1:])
	case "panther":
	default:
		t.Fatalf("line %d: the tutorial runs %q, which the test does not know", line, words[0])
	}
	app := &App{IO: TestIO(strings.NewReader(""), &h.out, &h.out), Now: time.Now,
		Getenv: func(k string) string { return h.env[k] }, WorkDir: "", ConfigDir: filepath.Join(h.dir, ".no-user-config")}
	if !c.bg {
		return Execute(context.Background(), app, words[1:])
	}
	// A server: run it until the test ends, and wait until it listens.
	var bgOut bytes.Buffer
	app.IO = TestIO(strings.NewReader(""), &syncWriter{w: &bgOut}, &syncWriter{w: &bgOut})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, app, words[1:]) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("line %d: %s did not stop", line, c.text)
		}
	})
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("line %d: %s ended (exit %d) before it listened", line, c.text, code)
		default:
		}
		if conn, err := net.DialTimeout("tcp", h.addr, time.Second); err == nil {
			conn.Close()
			return 0
		}
	}
	t.Fatalf("line %d: %s does not listen on %s", line, c.text, h.addr)
	return 0
}

// curl does what the tutorial's curl lines ask: -sS, -H, --data-binary @FILE.
func (h *tutorial) curl(line int, args []string) int {
	t := h.t
	var url string
	var body io.Reader
	method := http.MethodGet
	hdr := http.Header{}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-sS", "-s", "-S":
		case "-H":
			i++
			k, v, _ := strings.Cut(args[i], ":")
			hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		case "--data-binary":
			i++
			data, err := os.ReadFile(filepath.Join(h.dir, strings.TrimPrefix(args[i], "@")))
			if err != nil {
				t.Fatalf("line %d: %v", line, err)
			}
			body, method = bytes.NewReader(data), http.MethodPost
		default:
			if strings.HasPrefix(a, "-") || url != "" {
				t.Fatalf("line %d: curl %s: the test knows -sS, -H and --data-binary @FILE", line, a)
			}
			url = a
		}
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("line %d: %v", line, err)
	}
	req.Header = hdr
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(&h.out, "curl: %v\n", err)
		return 7
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 1<<20))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		h.out.Write(sc.Bytes())
		h.out.WriteByte('\n')
	}
	if resp.StatusCode >= 400 {
		return 22 // curl -f's code; the tutorial expects success
	}
	return 0
}

// syncWriter serialises the writes of a server's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
