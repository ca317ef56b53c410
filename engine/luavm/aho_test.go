package luavm

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/coregx/ahocorasick"
)

// The automaton agrees with strings.Contains and strings.Index on random
// needles and inputs.
func TestAutomaton(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	word := func(max int) string {
		var b strings.Builder
		for n := 1 + r.IntN(max); n > 0; n-- {
			b.WriteByte("abc|$/"[r.IntN(6)])
		}
		return b.String()
	}
	for round := 0; round < 2000; round++ {
		var needles []string
		for n := 1 + r.IntN(6); n > 0; n-- {
			needles = append(needles, word(4))
		}
		a := newAutomaton(needles)
		s := word(30)
		seen := make([]bool, len(needles))
		a.present(s, seen, nil)
		best, at := -1, len(s)+1
		any := false
		for i, n := range needles {
			k := strings.Index(s, n)
			if (k >= 0) != seen[i] {
				t.Fatalf("%q in %q: present says %v", n, s, seen[i])
			}
			any = any || k >= 0
			if k >= 0 && k < at {
				best, at = i, k
			}
		}
		if a.isMatch(s) != any {
			t.Fatalf("%q in %q: isMatch says %v", needles, s, !any)
		}
		if got := a.leftmost(s); got != best {
			t.Fatalf("%q in %q: leftmost %d, want %d", needles, s, got, best)
		}
	}
}

// TestSmallNeedles: a folding automaton of few needles without letters
// searches them as they are; with a letter it steps (case folds).
func TestSmallNeedles(t *testing.T) {
	for _, c := range []struct {
		needles []string
		s       string
		want    bool
		small   bool
	}{
		{[]string{"$", "24"}, "Mozilla/5.0 (X11) Gecko/20100101", false, true},
		{[]string{"$", "24"}, "a%24b", true, true},
		{[]string{"../", "..\\"}, "/A/../B", true, true},
		{[]string{"x"}, "aXb", true, false},
		{[]string{"a", "b", "c", "d"}, "zzd", true, false},
	} {
		a := newFoldingAutomaton(c.needles)
		if (a.small != nil) != c.small {
			t.Errorf("%q: small %v, want %v", c.needles, a.small != nil, c.small)
		}
		if got := a.isMatch(c.s); got != c.want {
			t.Errorf("%q in %q: %v, want %v", c.needles, c.s, got, c.want)
		}
	}
}

// BenchmarkSmallNeedles: Log4Shell's guard ("$" or "24", in six fields of
// every web request) on a user agent, stepping the automaton a byte
// against strings.Contains for each needle.
func BenchmarkSmallNeedles(b *testing.B) {
	ua := "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"
	for _, name := range []string{"automaton", "contains"} {
		a := newAutomaton([]string{"$", "24"})
		if name == "automaton" {
			a.small = nil
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(ua)))
			for i := 0; i < b.N; i++ {
				if a.isMatch(ua) {
					b.Fatal("match")
				}
			}
		})
	}
}

// BenchmarkAhoCorasick compares our automaton with
// github.com/coregx/ahocorasick (v0.3.1) on the web rules' needles: a
// user agent (no needle), a request with one, and a 64 KiB line of one
// needle's first byte between other bytes, then a needle, where coregx's IsMatch
// turns quadratic (its start-byte prefilter rescans the rest of the line
// each time the automaton is back at its start state).
func BenchmarkAhoCorasick(b *testing.B) {
	needles := []string{"()", "/dev/", "nc", "-i", "/bin/", "<?php", "system", "passthru", "shell_exec", "popen",
		"proc_open", "pcntl_exec", "eval", "assert", "allow_url_include", "auto_prepend_file", "php://input",
		"#_memberaccess", "java.lang", "class.module"}
	inputs := map[string]string{
		"user-agent": "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/124.0.0.0 safari/537.36",
		"request":    "/index.php?s=/index/think/app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id",
		"hostile":    strings.Repeat("-x", 32<<10) + "()",
	}
	ours := newAutomaton(needles)
	theirs, err := ahocorasick.NewBuilder().AddStrings(needles).Build()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"user-agent", "request", "hostile"} {
		s := inputs[name]
		b.Run(name+"/ours", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for i := 0; i < b.N; i++ {
				if !ours.isMatch(s) && name != "user-agent" {
					b.Fatal("no match")
				}
			}
		})
		b.Run(name+"/coregx", func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for i := 0; i < b.N; i++ {
				if !theirs.IsMatch(bytesOf(s)) && name != "user-agent" {
					b.Fatal("no match")
				}
			}
		})
	}
}
