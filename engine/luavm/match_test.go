package luavm

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// luaDecode is the web helper's decode as it was written in Lua before
// codec.unescape: the reference that codec.unescape(s, true) must equal.
const luaDecode = `
local function hexbyte(h) return string.char(tonumber(h, 16)) end
local OVERLONG = {
  ["\192\174"] = ".", ["\224\128\174"] = ".", ["\192\175"] = "/",
  ["\224\128\175"] = "/", ["\193\156"] = "\\", ["\193\129"] = "\\",
}
function decode(s)
  local out = s
  if out:find("%", 1, true) or out:find("\\", 1, true) then
    for _ = 1, 3 do
      local prev = out
      out = out:gsub("\\x(%x%x)", hexbyte)
      out = out:gsub("%%[uU]00(%x%x)", hexbyte)
      out = out:gsub("%%(%x%x)", hexbyte)
      if out == prev then break end
    end
  end
  if out:find("+", 1, true) then out = out:gsub("%+", " ") end
  if out:find("\192", 1, true) or out:find("\193", 1, true) or out:find("\224", 1, true) then
    for from, to in pairs(OVERLONG) do out = out:gsub(from, to) end
  end
  return out:lower()
end
function fast(s) return codec.unescape(s, true) end
`

// escapey makes strings dense in escapes, partial escapes and the bytes
// around them.
func escapey(r *rand.Rand) string {
	parts := []string{"%", "%2", "%25", "%2e", "%2E", "%2f", "%u00", "%U002e", "%u0041", "\\x", "\\x2", "\\x2f", "\\x41",
		"\\", "+", "a", "B", "/", ".", "..", "\xc0\xae", "\xe0\x80", "\xe0\x80\xaf", "\xc1\x9c", "\xc1", "0", "f", "G", "É", "x", "u"}
	var b strings.Builder
	for n := r.IntN(12); n >= 0; n-- {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()
}

func loadFuncs(t testing.TB, vm *VM, src string) *Env {
	t.Helper()
	env, err := vm.Load(mustChunk(t, src), vm.NewRequirer(func(string) (*Chunk, error) { return nil, nil }))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func callS(t testing.TB, vm *VM, f *lua.LFunction, s string) string {
	t.Helper()
	v, err := vm.Call(f, lua.LString(s))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v.String()
}

func TestUnescapeAgreesWithLua(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	env := loadFuncs(t, vm, luaDecode)
	slow, fast := env.Func("decode"), env.Func("fast")
	r := rand.New(rand.NewPCG(1, 2))
	cases := []string{"", "/a/b", "%252e%252e%252f", "%25252e", "%2525252e", "\\x25\\x32\\x65", "%u002e%u002E%U002f", "a+b%2Bc",
		"%c0%ae%c0%ae/", "%e0%80%af", "/x?q=%27%20OR%201%3D1--", "%%41", "%4", "%G1", "\\\\x41"}
	for i := 0; i < 20000; i++ {
		cases = append(cases, escapey(r))
	}
	for _, s := range cases {
		vm.resetMemo()
		if want, got := callS(t, vm, slow, s), callS(t, vm, fast, s); want != got {
			t.Fatalf("unescape(%q): Lua %q, codec %q", s, want, got)
		}
	}
}

func FuzzUnescape(f *testing.F) {
	for _, s := range []string{"%252e%252e%252f", "\\x25\\x32\\x65", "%u002e", "a+b", "%c0%ae", "%e0%80%af"} {
		f.Add(s)
	}
	vm := New(Options{})
	defer vm.Close()
	env := loadFuncs(f, vm, luaDecode)
	slow, fast := env.Func("decode"), env.Func("fast")
	f.Fuzz(func(t *testing.T, s string) {
		vm.resetMemo()
		if want, got := callS(t, vm, slow, s), callS(t, vm, fast, s); want != got {
			t.Fatalf("unescape(%q): Lua %q, codec %q", s, want, got)
		}
	})
}

func TestCodec(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	env := loadFuncs(t, vm, `
function url(s) return codec.url_decode(s) end
function html(s) return codec.html_unescape(s) end
function path(s) return codec.path(s) end
function raw(s) return codec.unescape(s) end`)
	for _, c := range []struct{ fn, in, want string }{
		{"url", "a%20b+c%2", "a b c%2"},
		{"url", "%252e", "%2e"},
		{"html", "&lt;script&gt;&#39;&#x2F;", "<script>'/"},
		{"path", "/a/./b/../../../etc/passwd?x=1", "/etc/passwd"},
		{"path", "/static/..%2f..%2f..%2fetc%2fpasswd", "/etc/passwd"},
		{"path", "//a///b/", "/a/b/"},
		{"path", "/a/b/..", "/a/"},
		{"path", "\\..\\..\\boot.ini", "/boot.ini"},
		{"path", "", "/"},
		{"raw", "/A%2Fb", "/A/b"},
	} {
		if got := callS(t, vm, env.Func(c.fn), c.in); got != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.fn, c.in, got, c.want)
		}
	}
}

func TestMatchLiterals(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	needles := []string{"|", "||", "nc", "once", "cat", "$(", "e", "/dev/"}
	env := loadFuncs(t, vm, `
local M = match.literals({"|", "||", "nc", "once", "cat", "$(", "e", "/dev/"})
local I = match.literals({"NikTo", "sqlmap"}, {ignore_case = true})
function find(s) local n, i = M:find(s) return tostring(n) .. "@" .. tostring(i) end
function all(s) return table.concat(M:all(s), ",") end
function first(s) local n, i = M:first(s) return tostring(n) .. "@" .. tostring(i) end
function test(s) return tostring(M:test(s)) end
function itest(s) return tostring(I:find(s)) end`)
	r := rand.New(rand.NewPCG(3, 4))
	alpha := []string{"|", "n", "c", "o", "e", "a", "t", "$", "(", "/", "d", "v", "x"}
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		for n := r.IntN(20); n > 0; n-- {
			b.WriteString(alpha[r.IntN(len(alpha))])
		}
		s := b.String()
		// The reference: leftmost occurrence, ties to the earlier needle.
		best, at := -1, len(s)+1
		var present []string
		for j, n := range needles {
			if k := strings.Index(s, n); k >= 0 {
				present = append(present, n)
				if k < at {
					best, at = j, k
				}
			}
		}
		want := "nil@nil"
		if best >= 0 {
			want = needles[best] + "@" + itoa(best+1)
		}
		if got := callS(t, vm, env.Func("find"), s); got != want {
			t.Fatalf("find(%q) = %s, want %s", s, got, want)
		}
		wantFirst := "nil@nil"
		for j, n := range needles {
			if strings.Contains(s, n) {
				wantFirst = n + "@" + itoa(j+1)
				break
			}
		}
		if got := callS(t, vm, env.Func("first"), s); got != wantFirst {
			t.Fatalf("first(%q) = %s, want %s", s, got, wantFirst)
		}
		if got := callS(t, vm, env.Func("all"), s); got != strings.Join(present, ",") {
			t.Fatalf("all(%q) = %s, want %s", s, got, strings.Join(present, ","))
		}
		if got := callS(t, vm, env.Func("test"), s); got != map[bool]string{true: "true", false: "false"}[best >= 0] {
			t.Fatalf("test(%q) = %s", s, got)
		}
	}
	if got := callS(t, vm, env.Func("itest"), "Mozilla/5.00 (NIKTO/2.1.6)"); got != "NikTo" {
		t.Errorf("ignore_case: %s", got)
	}
	// Non-ASCII text is lower-cased as string.lower does: the Kelvin sign
	// is a k.
	if got := callS(t, vm, env.Func("itest"), "Ni\u212ato"); got != "NikTo" {
		t.Errorf("ignore_case, Kelvin sign: %s", got)
	}
	// Past one overlapping pass: needle by needle, same answers.
	long := strings.Repeat("x", maxOverlapScan) + "once|"
	if got := callS(t, vm, env.Func("find"), long); got != "once@4" {
		t.Errorf("long input: %s", got)
	}
}

func itoa(i int) string { return lua.LNumber(i).String() }

func TestMatchPatterns(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	env := loadFuncs(t, vm, `
local P = match.patterns({
  {"union", [[union\s+select]], {"union"}},
  {name = "quote", pattern = [['\s*or\s]], needles = {"'"}},
  [[sleep\(\d+\)]],
  {"lying needle", [[drop]], {"zzz"}},
})
function first(s) local n, i = P:first(s) return tostring(n) .. "@" .. tostring(i) end
function all(s) return table.concat(P:all(s), ",") end`)
	for _, c := range []struct{ in, first, all string }{
		{"id=1 union  select 2", "union@1", "union"},
		{"x' or 1 union select sleep(5)", "union@1", "union,quote,3"},
		{"sleep(10)", "3@3", "3"},
		{"drop table", "nil@nil", ""}, // its needle is absent: never tried
		{"drop table zzz", "lying needle@4", "lying needle"},
	} {
		if got := callS(t, vm, env.Func("first"), c.in); got != c.first {
			t.Errorf("first(%q) = %s, want %s", c.in, got, c.first)
		}
		if got := callS(t, vm, env.Func("all"), c.in); got != c.all {
			t.Errorf("all(%q) = %s, want %s", c.in, got, c.all)
		}
	}
	for _, bad := range []string{`match.patterns({"("})`, `match.patterns({{"x"}})`, `match.patterns({{"x", "y", {""}}})`,
		`match.literals({""})`, `match.set({"a"}, {nope = true})`, `match.literals({1})`} {
		if _, err := run(t, vm, "function f(e) return "+bad+" end"); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	for bad, want := range map[string]string{
		`match.literals({"a", 1})`:   "entry 2 is a number; give a list of strings",
		`match.literals({"a", {2}})`: "entry 2 is a table whose first element is a number",
	} {
		if _, err := run(t, vm, "function f(e) return "+bad+" end"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", bad, err, want)
		}
	}
}

func TestMatchSet(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	env := loadFuncs(t, vm, `
local D = match.set({"duckdns.org", "onion", "Example.COM"}, {suffix = true, ignore_case = true})
local E = match.set({"root", "admin"})
function dom(s) return tostring(D:has(s)) end
function exact(s) return tostring(E:has(s)) end`)
	for _, c := range []struct{ fn, in, want string }{
		{"dom", "c2.DuckDNS.org", "duckdns.org"},
		{"dom", "duckdns.org", "duckdns.org"},
		{"dom", "notduckdns.org", "nil"},
		{"dom", "abc.onion", "onion"},
		{"dom", "www.example.com", "Example.COM"},
		{"dom", "", "nil"},
		{"exact", "root", "root"},
		{"exact", "Root", "nil"},
	} {
		if got := callS(t, vm, env.Func(c.fn), c.in); got != c.want {
			t.Errorf("%s(%q) = %s, want %s", c.fn, c.in, got, c.want)
		}
	}
}

// The matchers observe the budget and the allocation limit like the other
// built-ins.
func TestMatchLimits(t *testing.T) {
	vm := New(Options{Budget: 50 * time.Millisecond})
	defer vm.Close()
	for _, src := range []string{
		// Lower-casing copies the input each time (non-ASCII text): the
		// allocation limit stops it.
		`local I = match.literals({"x"}, {ignore_case = true}) local s = string.rep("\195\137", 524288)
		 for i = 1, 200 do I:test(s) end`,
		// Needle by needle over a long input, forever: the budget stops it.
		`local M = match.literals({"a", "b", "c", "d"}) local s = string.rep("x", 1048576)
		 while true do M:find(s) end`,
		`local S = match.set({"x"}, {suffix = true}) local s = string.rep("a.", 1048576)
		 while true do S:has(s) end`,
	} {
		_, err := run(t, vm, "function f(e) "+src+" end")
		var le *Error
		if err == nil || !errors.As(err, &le) || !(IsTimeout(err) || strings.Contains(err.Error(), "would allocate over")) {
			t.Errorf("%.60s...: %v, want a limit error", src, err)
		}
	}
}

// Needles read off the patterns never hide a match: match.patterns with
// derived needles agrees with running every regexp, on random patterns
// and inputs (case folding, the letters that fold to ASCII, repetitions,
// alternations, anchors).
func TestDerivedNeedlesAgree(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	r := rand.New(rand.NewPCG(5, 6))
	atoms := []string{"ab", "sk", "x", "nmap", "Ks", `\d`, ".", "[a-c]", `\b`, "^", "$", "(?i:sk)", "(?i:ab)", "(?i:x)"}
	var pattern func(depth int) string
	pattern = func(depth int) string {
		switch n := r.IntN(6); {
		case depth > 2 || n < 2:
			return atoms[r.IntN(len(atoms))]
		case n == 2:
			return pattern(depth+1) + pattern(depth+1)
		case n == 3:
			return "(" + pattern(depth+1) + "|" + pattern(depth+1) + ")"
		case n == 4:
			return "(?:" + pattern(depth+1) + ")" + []string{"*", "+", "?", "{2}", "{0,2}"}[r.IntN(5)]
		default:
			return "(?i)" + pattern(depth+1)
		}
	}
	alphabet := []string{"a", "b", "A", "B", "s", "S", "ſ", "k", "K", "K", "x", "X", "n", "m", "p", "1", " ", "é"}
	for round := 0; round < 300; round++ {
		var entries []patternEntry
		var res []*regexp.Regexp
		for i := 0; i < 4; i++ {
			p := pattern(0)
			re, err := regexp.Compile(p)
			if err != nil {
				continue
			}
			entries = append(entries, patternEntry{name: lua.LNumber(len(entries) + 1), pattern: p})
			res = append(res, re)
		}
		ps, err := buildPatternSet(entries)
		if err != nil {
			t.Fatal(err)
		}
		for k := 0; k < 50; k++ {
			var b strings.Builder
			for n := r.IntN(10); n >= 0; n-- {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			s := b.String()
			want := -1
			for i, re := range res {
				if re.MatchString(s) {
					want = i
					break
				}
			}
			if got := ps.match(vm, vm.L, s, nil); got != want {
				var ps []string
				for _, e := range entries {
					ps = append(ps, e.pattern)
				}
				t.Fatalf("patterns %q on %q: first %d, every regexp says %d", ps, s, got, want)
			}
		}
	}
}

func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct{ re, want string }{
		{`nmap`, "nmap"},
		{`(?i)openvas|greenbone`, "greenbone,openvas (folded)"},
		{`^curl/`, "curl/"},
		{`(?i)python-urllib|python/\d|aiohttp`, "aiohttp,python (folded)"},
		{`fuzz faster u fool|\bffuf\b`, "ffuf,fuzz faster u fool"},
		{`a*b`, "b"},
		{`(ab)?c`, "c"},
		{`x|y*`, ""},
		{`\d+`, ""},
		{`(?i)é`, ""},
	} {
		tree, err := syntax.Parse(c.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		lits, fold, ok := requiredLiterals(tree.Simplify())
		got := ""
		if ok {
			got = strings.Join(lits, ",")
			if fold {
				got += " (folded)"
			}
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.re, got, c.want)
		}
	}
}
