package luavm

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// evalLua runs `return <expr>` in L and renders every result.
func evalLua(L *lua.LState, expr string) string {
	if err := L.DoString("return " + expr); err != nil {
		return "error"
	}
	var parts []string
	for i := 1; i <= L.GetTop(); i++ {
		parts = append(parts, fmt.Sprintf("%v", L.Get(i)))
	}
	L.SetTop(0)
	return strings.Join(parts, "|")
}

func oursEval(t *testing.T, vm *VM, expr string) (string, error) {
	t.Helper()
	return run(t, vm, "function f(e) local r = {"+expr+"} for i = 1, #r do r[i] = tostring(r[i]) end return table.concat(r, '|') end")
}

var gsubCases = []string{
	`string.gsub("hello world", "o", "0")`,
	`string.gsub("hello world", "(%w+)", "<%1>")`,
	`string.gsub("hello world", "%w+", "%0 %0", 1)`,
	`string.gsub("abc", "%w*", "x")`,
	`string.gsub("abc", "", "-")`,
	`string.gsub("a,b,,c", ",", ";")`,
	`string.gsub("  trim  ", "^%s+", "")`,
	`string.gsub("key=val, k2=v2", "(%w+)=(%w+)", "%2=%1")`,
	`string.gsub("$name is $age", "%$(%w+)", {name="bob", age=3})`,
	`string.gsub("abc", ".", {a=1, b=false})`,
	`string.gsub("hello", "l", function(c) return c:upper() end)`,
	`string.gsub("hello", "(l)(l)", function(a, b) return b .. a .. "!" end)`,
	`string.gsub("caf\195\169 ol\195\169", "\195\169", "e")`,
	`string.gsub("f(a(b)c) g(h)", "%b()", "[]")`,
	`string.gsub("aaa", "^a", "b")`,
	`string.gsub("x", "x", "%%")`,
}

func TestGsubAgreesWithGopherLua(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	L := lua.NewState()
	defer L.Close()
	for _, expr := range gsubCases {
		want := evalLua(L, "table.concat({"+expr+"}, '|')")
		got, err := oursEval(t, vm, expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		if got != `"`+want+`"` {
			t.Errorf("%s = %s, gopher-lua %q", expr, got, want)
		}
	}
	// gmatch: every match, in order.
	for _, c := range []struct{ s, p, want string }{
		{"a1b22c333", "%d+", "1,22,333"},
		{"k=v, k2=v2", "(%w+)=(%w+)", "k:v,k2:v2"},
		{"abc", "", ",,,"},
		{"one two", "^%a+", "one"},
		{"caf\xc3\xa9 x", "[^ ]+", "caf\xc3\xa9,x"},
		{"(a)(b(c))", "%b()", "(a),(b(c))"},
	} {
		src := fmt.Sprintf(`function f(e) local out = {} for a, b in string.gmatch(%q, %q) do out[#out+1] = b and (a .. ":" .. b) or a end return table.concat(out, ",") end`, c.s, c.p)
		got, err := run(t, vm, src)
		if err != nil || got != fmt.Sprintf("%q", c.want) {
			t.Errorf("gmatch(%q, %q) = %s %v, want %q", c.s, c.p, got, err, c.want)
		}
	}
}

// string.format's plain path (plainFormat) gives what gopher-lua's gives,
// and what it does not handle falls through to it.
func TestFormatAgreesWithGopherLua(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	L := lua.NewState()
	defer L.Close()
	for _, expr := range []string{
		`string.format("IAM user %s called %s:%s", "bob", "s3.amazonaws.com", "ListBuckets")`,
		`string.format("%s", "")`,
		`string.format("no directive")`,
		`string.format("%d users, %s", 42, "x")`,
		`string.format("%d", -7)`,
		`string.format("%d", 2.5)`,
		`string.format("%s", 2.5)`,
		`string.format("%s", 3)`,
		`string.format("%s", 1e20)`,
		`string.format("%d", 1e20)`,
		`string.format("%d", "12")`,
		`string.format("%s and %s", "a")`,
		`string.format("%s", "a", "extra")`,
		`string.format("100%% of %s", "x")`,
		`string.format("%%s %s", "x")`,
		`string.format("%%%s", "x")`,
		`string.format("%s%%", "x")`,
		`string.format("trailing %")`,
		`string.format("%s", nil)`,
		`string.format("%s", true)`,
		`string.format("%5s|%-3d|%.2f|%x|%q", "ab", 7, 1.5, 255, "q")`,
		`string.format("%s", "caf\195\169")`,
		`string.format(12)`,
	} {
		want := evalLua(L, expr)
		got, err := oursEval(t, vm, expr)
		if err != nil {
			if want != "error" {
				t.Errorf("%s: %v, gopher-lua %q", expr, err, want)
			}
			continue
		}
		if got != fmt.Sprintf("%q", want) {
			t.Errorf("%s = %s, gopher-lua %q", expr, got, want)
		}
	}
}

// Every built-in that loops in Go observes the call's budget: these took
// from seconds to for ever before (gopher-lua's backtracking matcher,
// gsub copying the string at every match, FindAll restarting a search
// that looks to the end at every match).
func TestBuiltinsObserveBudget(t *testing.T) {
	const budget = 100 * time.Millisecond
	vm := New(Options{Budget: budget})
	defer vm.Close()
	attacks := []struct{ name, body string }{
		{"backtracking pattern", `return string.find(string.rep("a", 40), "()a*a*a*a*a*a*a*a*a*a*a*a*b")`},
		{"backtracking match on non-ASCII", `return string.match(string.rep("\195\169", 30), "(.-)(.-)(.-)(.-)(.-)(.-)(.-)x")`},
		{"balance on every start", `return string.find(string.rep("(", 200000), "%b()")`},
		{"gsub with many matches", `local s = string.rep("a", 1000000) for i = 1, 100 do s = string.gsub(s, "a", "a") end return s`},
		{"gsub with a backtracking pattern", `return string.gsub(string.rep("ab", 20), "()a*a*a*a*a*a*a*a*a*a*a*a*b", "")`},
		{"re.find_all looking ahead", `return #re.find_all("a(?:.*z)?", string.rep("a", 1000000))`},
		{"re.replace looking ahead", `return re.replace("a(?:.*z)?", string.rep("a", 1000000), "b")`},
		{"re.split looking ahead", `return #re.split("a(?:.*z)?", string.rep("a", 1000000))`},
		{"re.match with a large program", `local s = string.rep("ab", 8000000) for i = 1, 100 do re.match("(a|b|c|d|e|f|g|h)*(x|y)z{1,100}q", s) end`},
		{"re.find_all with a word boundary", `return #re.find_all("\\ba(?:.*z)?", string.rep("a ", 500000))`},
		{"json.decode", `local s = "[" .. string.rep("1,", 100000) .. "1]" for i = 1, 1000 do json.decode(s) end`},
		{"json.encode", `local t = {} for i = 1, 200000 do t[i] = {i, "x"} end for i = 1, 100 do json.encode(t) end`},
		{"table.concat", `local t = {} for i = 1, 1000000 do t[i] = "x" end for i = 1, 1000 do table.concat(t) end`},
	}
	for _, a := range attacks {
		start := time.Now()
		_, err := run(t, vm, "function f(e) "+a.body+" end")
		took := time.Since(start)
		if err != nil && !IsTimeout(err) {
			t.Errorf("%s: want a timeout or a result, got %v", a.name, err)
		}
		// Generous for a loaded machine (the watchdog does not count the
		// ticks it gets late); before, most of these never ended.
		if took > budget+5*time.Second {
			t.Errorf("%s: took %v for a %v budget", a.name, took, budget)
		}
		t.Logf("%s: %v (%v)", a.name, took.Round(time.Millisecond), err)
	}
}

// What the built-ins allocate in one call is capped in total, not per
// operation: these built gigabytes before.
func TestBuiltinsAllocationCap(t *testing.T) {
	vm := New(Options{Budget: 20 * time.Second})
	defer vm.Close()
	attacks := []struct{ name, body string }{
		{"table.concat with a huge separator", `local t = {} for i = 1, 400 do t[i] = "x" end return #table.concat(t, string.rep("s", 8 * 1024 * 1024))`},
		{"string.format with many %s", `local s = string.rep("x", 8 * 1024 * 1024) local args = {} for i = 1, 100 do args[i] = s end return #string.format(string.rep("%s", 100), unpack(args))`},
		{"string.rep in a loop", `local n = 0 for i = 1, 100 do n = n + #string.rep("x", 8 * 1024 * 1024) end return n`},
		{"gsub with a huge replacement", `return #string.gsub(string.rep("a", 1000), "a", string.rep("r", 1024 * 1024))`},
		{"gsub with huge replacements in a loop", `local n = 0 for i = 1, 100 do n = n + #string.gsub("aaaa", "a", string.rep("r", 4 * 1024 * 1024)) end return n`},
		{"re.replace with a huge replacement", `return #re.replace("a", string.rep("a", 1000), string.rep("r", 1024 * 1024))`},
		{"re.replace expanding a group", `return #re.replace("(a+)", string.rep("a", 1024 * 1024), string.rep("$1", 100))`},
		{"upper in a loop", `local s = string.rep("x", 8 * 1024 * 1024) local n = 0 for i = 1, 100 do n = n + #s:upper() end return n`},
		{"json.encode in a loop", `local s = {string.rep("x", 8 * 1024 * 1024)} local n = 0 for i = 1, 100 do n = n + #json.encode(s) end return n`},
		{"json.decode", `return json.decode("[" .. string.rep("1,", 2000000) .. "1]")`},
		{".. doubling", `local s = string.rep("x", 1024 * 1024) for i = 1, 12 do s = s .. s end return #s`},
		{".. chains", `local s = string.rep("x", 4 * 1024 * 1024) local n = 0 for i = 1, 100 do n = n + #(s .. ":" .. s .. i) end return n`},
		{"pcall around refusals", `local n = 0 for i = 1, 100 do local ok, s = pcall(string.rep, "x", 8 * 1024 * 1024) if ok then n = n + #s end end return n`},
	}
	for _, a := range attacks {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, err := run(t, vm, "function f(e) "+a.body+" end")
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		if err == nil && a.name != "pcall around refusals" {
			t.Errorf("%s: want a refusal, got %s", a.name, out)
		}
		if err != nil && (!strings.Contains(err.Error(), "limit") || errors.Is(err, ErrTimeout)) {
			t.Errorf("%s: want the allocation limit, got %v", a.name, err)
		}
		// The cap, the intermediate strings the Lua code built itself,
		// and slack.
		if allocated > 3*MaxCallAlloc {
			t.Errorf("%s: allocated %d MiB in one call", a.name, allocated>>20)
		}
		t.Logf("%s: %d MiB (%v)", a.name, allocated>>20, err)
	}
}

// The rewritten .. means what Lua's does.
func TestConcatSemantics(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	cases := []struct{ src, want string }{
		{`function f(e) return "a" .. "b" .. 1 .. 2.5 end`, `"ab12.5"`},
		{`function f(e) local x = "k" return (x .. "=") .. (1 + 2) .. x end`, `"k=3k"`},
		{`local function two() return "p", "q" end function f(e) return "<" .. two() .. ">" end`, `"<p>"`},
		{`function f(e) return e.eventName .. "/" .. e.userIdentity.userName end`, `"StopLogging/alice"`},
		{`local mt = {__concat = function(a, b) return "meta" end} function f(e) return "x" .. setmetatable({}, mt) end`, `"meta"`},
		{`function f(e) local t = {} for i = 1, 3 do t[#t + 1] = "n" .. i end return table.concat(t, ",") end`, `"n1,n2,n3"`},
		{`function f(e, ...) return "v" .. ... end`, `"vnil"`},
	}
	for _, c := range cases {
		got, err := run(t, vm, c.src)
		if c.want == `"vnil"` {
			if err == nil {
				t.Errorf("%s: want an error (concat with nil), got %s", c.src, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %s %v, want %s", c.src, got, err, c.want)
		}
	}
	if _, err := run(t, vm, `function f(e) return "x" .. {} end`); err == nil || !strings.Contains(err.Error(), "test.lua:1: cannot perform concat") {
		t.Errorf("concat with a table: %v", err)
	}
}

// BenchmarkConcat is a title-like .. chain on one event: gopher-lua's own
// CONCAT instruction against the charged call it is rewritten to.
func BenchmarkConcat(b *testing.B) {
	benchTitle(b, &rewriteConcats, "instruction", "charged-call",
		`function title(e) return "CloudTrail " .. e.eventName .. " by " .. e.userIdentity.userName .. " in " .. e.awsRegion end`,
		"CloudTrail StopLogging by alice in us-east-1")
}

// BenchmarkFormat is a title-like string.format of three %s on one event:
// gopher-lua's string.format against plainFormat, which formats the plain
// %s/%d case in Go (TestFormatAgreesWithGopherLua holds them to the same
// text).
func BenchmarkFormat(b *testing.B) {
	benchTitle(b, &fastFormat, "gopher-lua", "plainFormat",
		`function title(e) return string.format("IAM user %s called %s:%s", e.userIdentity.userName, e.eventSource, e.eventName) end`,
		"IAM user alice called cloudtrail.amazonaws.com:StopLogging")
}

// benchTitle times src's title(event) with the switch *on off (named off)
// and on (named on), checking it returns want; the switch is left on.
func benchTitle(b *testing.B, on *bool, off, onName, src, want string) {
	for _, v := range []bool{false, true} {
		name := map[bool]string{false: off, true: onName}[v]
		b.Run(name, func(b *testing.B) {
			*on = v
			defer func() { *on = true }()
			vm := New(Options{})
			defer vm.Close()
			env, err := vm.Load(mustChunk(b, src), nil)
			if err != nil {
				b.Fatal(err)
			}
			f := env.Func("title")
			ev := newEvent(b, ctEvent)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				got, err := vm.Call(f, vm.NewEvent(ev, nil))
				if err != nil || got.String() != want {
					b.Fatalf("%v %v", got, err)
				}
			}
		})
	}
}
