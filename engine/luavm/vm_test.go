package luavm

import (
	"bytes"
	"context"
	"errors"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"panther/parsers/event"
)

const ctEvent = `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"},"eventTime":"2024-03-01T12:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","requestParameters":{"name":"trail-a"},"responseElements":null,"resources":[{"ARN":"arn:1","type":"A"},{"ARN":"arn:2","type":"B"}],"readOnly":false,"count":3}`

func mustChunk(t testing.TB, src string) *Chunk {
	t.Helper()
	c, err := Compile("test.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newEvent(t testing.TB, js string) *event.Event {
	t.Helper()
	e := event.New()
	if err := e.ParseJSON([]byte(js)); err != nil {
		t.Fatal(err)
	}
	e.LogType = "AWS.CloudTrail"
	e.Indicators[event.IP] = []string{"198.51.100.7"}
	return e
}

// run loads src, calls fn(event) and returns the result as JSON.
func run(t *testing.T, vm *VM, src string) (string, error) {
	t.Helper()
	env, err := vm.Load(mustChunk(t, src), vm.NewRequirer(func(string) (*Chunk, error) { return nil, nil }))
	if err != nil {
		return "", err
	}
	f := env.Func("f")
	if f == nil {
		t.Fatal("no f")
	}
	ev := newEvent(t, ctEvent)
	defer ev.Release()
	v, err := vm.Call(f, vm.NewEvent(ev, nil))
	if err != nil {
		return "", err
	}
	b, err := vm.ToJSON(nil, v)
	return string(b), err
}

func TestEventAPI(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	cases := []struct{ src, want string }{
		{`function f(e) return e.eventName end`, `"StopLogging"`},
		{`function f(e) return e.userIdentity.userName end`, `"alice"`},
		{`function f(e) return e.missing end`, `null`},
		{`function f(e) return e:get("userIdentity", "arn") end`, `"arn:aws:iam::123456789012:user/alice"`},
		{`function f(e) return e:get("nope", "deeper", "still") end`, `null`},
		{`function f(e) return e:get("resources", 2, "ARN") end`, `"arn:2"`},
		{`function f(e) return e.resources[1].type end`, `"A"`},
		{`function f(e) return #e.resources end`, `2`},
		{`function f(e) return e.responseElements end`, `null`},
		{`function f(e) return e.readOnly end`, `false`},
		{`function f(e) return e.count + 1 end`, `4`},
		{`function f(e) return e.p_log_type end`, `"AWS.CloudTrail"`},
		{`function f(e) return e.p_any_ip_addresses end`, `["198.51.100.7"]`},
		{`function f(e) return type(e.userIdentity) end`, `"table"`},
		{`function f(e) local n = 0 for k, v in pairs(e.userIdentity) do n = n + 1 end return n end`, `4`},
		{`function f(e) local s = "" for i, r in ipairs(e.resources) do s = s .. r.ARN end return s end`, `"arn:1arn:2"`},
		{`function f(e) return e.requestParameters end`, `{"name":"trail-a"}`},
		{`function f(e) return tostring(e.requestParameters) end`, `"{\"name\":\"trail-a\"}"`},
		{`function f(e) return {ctx = e.userIdentity.accountId, list = {1, 2}} end`, `{"ctx":"123456789012","list":[1,2]}`},
		{`function f(e) return json.decode('{"a":[1,2]}').a[2] end`, `2`},
		{`function f(e) return re.match("^Stop", e.eventName) end`, `true`},
		{`function f(e) return re.groups("(?P<verb>[A-Z][a-z]+)(\\w+)", e.eventName).verb end`, `"Stop"`},
		{`function f(e) return net.in_cidr(e.sourceIPAddress, {"10.0.0.0/8", "198.51.100.0/24"}) end`, `true`},
		{`function f(e) return net.is_private("10.1.2.3") and not net.is_private(e.sourceIPAddress) end`, `true`},
		{`function f(e) return time.parse(e.eventTime) end`, `1709294400`},
		{`function f(e) return time.format(1709294400) end`, `"2024-03-01T12:00:00Z"`},
		// Outside the years 1678-2262 that UnixNano covers (credential
		// reports write 0001-01-01 for "never").
		{`function f(e) return time.parse("3000-01-01T00:00:00Z") end`, `32503680000`},
		{`function f(e) return time.parse("0001-01-01T00:00:00Z") end`, `-62135596800`},
		{`local n = require("json") function f(e) return n.encode({1}) end`, `"[1]"`},
		{`function f(e) return e.userIdentity == e.userIdentity end`, `true`},
		{`function f(e) return {getmetatable(""), getmetatable(e), ("x").__index == nil, string.__index == nil} end`, `["string","read-only event",true,true]`},
	}
	for _, c := range cases {
		got, err := run(t, vm, c.src)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestSandbox(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	cases := []struct{ src, wantErr string }{
		{`function f(e) return os.time() end`, "attempt to index a non-table object(nil) with key 'time'"},
		{`function f(e) return io.open("/etc/passwd") end`, "non-table object(nil)"},
		{`function f(e) return debug.getinfo(1) end`, "non-table object(nil)"},
		{`function f(e) return loadstring("return 1")() end`, "attempt to call a non-function object"},
		{`function f(e) return dofile("/etc/passwd") end`, "attempt to call a non-function object"},
		{`function f(e) return load(function() return nil end) end`, "attempt to call a non-function object"},
		{`function f(e) return setfenv(1, {}) end`, "attempt to call a non-function object"},
		{`function f(e) e.eventName = "x" end`, "the event is read-only"},
		{`function f(e) e.userIdentity.arn = "x" end`, "the event is read-only"},
		{`function f(e) string.find = nil end`, "read-only table"},
		{`function f(e) rawset(string, "find", nil) end`, "protected table"},
		{`function f(e) _G.x = 1 end`, "read-only table"},
		{`function f(e) rawset(_G, "x", 1) end`, "protected table"},
		{`function f(e) local g = _G g.rule = nil end`, "read-only table"},
		{`function f(e) return string.rep("x", 1e9) end`, "over the 16777216 byte limit"},
		{`function f(e) return ("x"):rep(1e9) end`, "over the 16777216 byte limit"},
		{`function f(e) return string.format("%99999d", 1) end`, "field width"},
		{`function f(e) return re.match("(", "x") end`, "bad pattern"},
		{`function f(e) return require("nope") end`, `no global helper with GlobalID "nope"`},
		{`function f(e) local function r(n) return r(n + 1) + 1 end return r(1) end`, "stack overflow"},
	}
	for _, c := range cases {
		_, err := run(t, vm, c.src)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: want error containing %q, got %v", c.src, c.wantErr, err)
		}
	}
	// The VM is still usable after all those errors.
	if got, err := run(t, vm, `function f(e) return e.eventName end`); err != nil || got != `"StopLogging"` {
		t.Errorf("after errors: %s %v", got, err)
	}
}

func TestTimeBudget(t *testing.T) {
	vm := New(Options{Budget: 50 * time.Millisecond})
	defer vm.Close()
	start := time.Now()
	_, err := run(t, vm, `function f(e) while true do end end`)
	took := time.Since(start)
	if !IsTimeout(err) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if !strings.Contains(err.Error(), "test.lua:1:") {
		t.Errorf("the timeout should say where: %v", err)
	}
	if took > 2*time.Second {
		t.Errorf("timeout took %v for a 50ms budget", took)
	}
	// The next call runs normally with a fresh budget.
	if got, err := run(t, vm, `function f(e) local n = 0 for i = 1, 1000 do n = n + i end return n end`); err != nil || got != "500500" {
		t.Errorf("after timeout: %s %v", got, err)
	}
	// A timeout in the top level of a file is an error of loading.
	if _, err := vm.Load(mustChunk(t, `while true do end`), nil); !IsTimeout(err) {
		t.Errorf("load: want timeout, got %v", err)
	}
}

func TestMemoryBound(t *testing.T) {
	// A limit a little above what the process holds now.
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	SetMemoryLimit(sample[0].Value.Uint64() + 64<<20)
	defer SetMemoryLimit(1 << 30)
	vm := New(Options{Budget: 20 * time.Second})
	defer vm.Close()
	// Tables, which the VM allocates itself (the built-ins' allocations
	// hit their own cap first: TestBuiltinsAllocationCap).
	_, err := run(t, vm, `function f(e) local t = {} local i = 0 while true do i = i + 1 t[i] = {i, i, i, i, i, i, i, i} end end`)
	if !errors.Is(err, ErrMemory) {
		t.Fatalf("want the memory limit, got %v", err)
	}
}

func TestPrintCaptured(t *testing.T) {
	var buf bytes.Buffer
	vm := New(Options{Print: &buf})
	defer vm.Close()
	if _, err := run(t, vm, `function f(e) print("hello", 1, e.requestParameters) return true end`); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "hello\t1\t{\"name\":\"trail-a\"}\n" {
		t.Errorf("print: %q", got)
	}
}

// Functions may not assign globals: caught when the file compiles, with
// the line; top-level definitions and locals are fine.
func TestGlobalWritesInFunctions(t *testing.T) {
	bad := map[string]int{
		"local n = 0\nfunction rule(e)\n  count = n + 1\nend":                  3,
		"function rule(e)\n  if e then\n    function helper() end\n  end\nend": 3,
		"local f = function()\n  cache = {}\nend":                              2,
		"function rule(e) for i = 1, 2 do total = i end end":                   1,
	}
	for src, line := range bad {
		_, err := Compile("x.lua", []byte(src))
		var gw *GlobalWriteError
		if !errors.As(err, &gw) || gw.Line != line {
			t.Errorf("%q: want a global write at line %d, got %v", src, line, err)
		}
	}
	good := []string{
		"X = 1\nfunction rule(e) local y = X y = 2 return y end",
		"local M = {}\nfunction M.f(e) M.x = 1 end\nreturn M",
		"function rule(e) for i, v in ipairs({}) do i = v end local a a = 1 end",
		"local function r(n) if n > 0 then return r(n - 1) end return 0 end\nfunction rule(e) return r(3) == 0 end",
		"function rule(e) local t = {} t.x = 1 return t.x == 1 end",
	}
	for _, src := range good {
		if _, err := Compile("x.lua", []byte(src)); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

// gopher-lua gets a, b = b, a wrong for locals: such statements are refused.
func TestSwapRefused(t *testing.T) {
	for _, src := range []string{
		"local a, b = 1, 2\na, b = b, a",
		"function f() local a, b = 0, 1\n a, b = a + 1, a + b end",
		"local a, b = 1, 2\nlocal g = tostring\na, b = g(b), g(a)",
		"local i, n = 1, 5\ni, n = n, i",
	} {
		_, err := Compile("s.lua", []byte(src))
		var se *SwapError
		if !errors.As(err, &se) {
			t.Errorf("%q: want a swap error, got %v", src, err)
		}
	}
	for _, src := range []string{
		"a, b = 1, 2\na, b = b, a", // globals are assigned right
		"local t = {x = 1, y = 2}\nt.x, t.y = t.y, t.x",
		"local a, b = 1, 2\nlocal x, y = b, a",
		"local a, b = 1, 2\na, b = b, 3",
		"local from, to = '1', '2'\nfrom, to = tonumber(from), tonumber(to)",
	} {
		if _, err := Compile("s.lua", []byte(src)); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := Compile("rules/x.lua", []byte("function rule(event)\n  return event.x ==\nend\n"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 3 || se.File != "rules/x.lua" {
		t.Fatalf("want a syntax error at rules/x.lua:3, got %#v", err)
	}
	_, err = Compile("y.lua", []byte("function rule(event)\n  if x then\n"))
	if !errors.As(err, &se) || !strings.Contains(se.Error(), "end of file") {
		t.Fatalf("want an end-of-file error, got %v", err)
	}
}

const simpleRule = `function rule(event) return event.eventName == "StopLogging" and event.userIdentity.type ~= "AWSService" end`

func benchRule(b *testing.B, budget time.Duration) {
	vm := New(Options{Budget: budget})
	defer vm.Close()
	env, err := vm.Load(mustChunk(b, simpleRule), nil)
	if err != nil {
		b.Fatal(err)
	}
	rule := env.Func("rule")
	ev := newEvent(b, ctEvent)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := vm.Call(rule, vm.NewEvent(ev, nil))
		if err != nil || v != lua.LTrue {
			b.Fatal(v, err)
		}
	}
}

// BenchmarkSimpleRule is one rule on one CloudTrail event, event proxy
// included, with the watchdog budget.
func BenchmarkSimpleRule(b *testing.B) { benchRule(b, DefaultBudget) }

// BenchmarkBudget compares the ways to bound a call: none, the watchdog
// (what we use) and a context.WithTimeout per call.
func BenchmarkBudget(b *testing.B) {
	b.Run("none", func(b *testing.B) { benchRule(b, -1) })
	b.Run("watchdog", func(b *testing.B) { benchRule(b, DefaultBudget) })
	b.Run("per-call-context", func(b *testing.B) {
		vm := New(Options{Budget: -1})
		defer vm.Close()
		env, _ := vm.Load(mustChunk(b, simpleRule), nil)
		rule := env.Func("rule")
		ev := newEvent(b, ctEvent)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), DefaultBudget)
			vm.L.SetContext(ctx)
			v, err := vm.Call(rule, vm.NewEvent(ev, nil))
			cancel()
			if err != nil || v != lua.LTrue {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("loop-1000-none", func(b *testing.B) { benchLoop(b, -1) })
	b.Run("loop-1000-watchdog", func(b *testing.B) { benchLoop(b, DefaultBudget) })
}

func benchLoop(b *testing.B, budget time.Duration) {
	vm := New(Options{Budget: budget})
	defer vm.Close()
	env, _ := vm.Load(mustChunk(b, `function rule(e) local n = 0 for i = 1, 1000 do n = n + i end return n > 0 end`), nil)
	rule := env.Func("rule")
	ev := newEvent(b, ctEvent)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := vm.Call(rule, vm.NewEvent(ev, nil)); err != nil {
			b.Fatal(err)
		}
	}
}
