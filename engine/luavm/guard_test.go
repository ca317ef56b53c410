package luavm

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"panther/parsers/event"
)

func TestFindGuards(t *testing.T) {
	cases := []struct {
		src  string
		want string // the conditions, "" for no guard
	}{
		{`function rule(e) if e.eventSource ~= "s3.amazonaws.com" then return false end return true end`, `eventSource=[s3.amazonaws.com]`},
		{`function rule(e) return e.eventName == "A" and e.x end`, `eventName=[A]`},
		{`function rule(e) return (e.eventName == "A" or e.eventName == "B") and e.x end`, `eventName=[A B]`},
		{`function rule(e) if e.eventSource ~= "x" or e.eventName ~= "y" then return false end end`, `eventSource=[x] eventName=[y]`},
		{`function rule(e) return e.eventName == "A" and e.eventSource == "s" and f(e) end`, `eventName=[A] eventSource=[s]`},
		{`function rule(e) if not (e.userIdentity.type == "Root") then return false end end`, `userIdentity.type=[Root]`},
		{`function rule(event) return event:get("a", "b") == "c" end`, `a.b=[c]`},
		{`function rule(e) return "lit" == e["k"] end`, `k=[lit]`},
		// Constant set tables.
		{`local S = {A = true, B = true}
function rule(e) return e.src == "x" and S[e.eventName] ~= nil end`, `src=[x] eventName=[A B]`},
		{`local S = {A = true, ["B"] = "yes"}
function rule(e) if not S[e.eventName or ""] then return false end end`, `eventName=[A B]`},
		{`local DENIED = {AccessDenied = true}
function rule(e) return DENIED[e.errorCode or ""] == true and f(e) end`, `errorCode=[AccessDenied]`},
		// Only what is evaluated before any helper call counts.
		{`function rule(e) if f(e) or e.eventSource ~= "x" then return false end end`, ``},
		{`function rule(e) return f(e) and e.eventName == "A" end`, ``},
		{`function rule(e) if e.eventSource ~= "x" or f(e) or e.eventName ~= "y" then return false end end`, `eventSource=[x]`},
		// No guard:
		{`function rule(e) return e.eventName ~= "A" end`, ``},
		{`function rule(e) return e.a == "x" or e.b == "y" end`, `(a=[x] | b=[y])`},
		{`function rule(e) if e.a == "x" then return false end end`, ``},
		{`function rule(e) local n = e.eventName if n ~= "A" then return false end end`, ``},
		{`function rule(e) e = other() return e.a == "x" end`, ``},
		{`function rule(e) return e.a == X end`, ``},
		{`function rule(e) return e.a == "x" end rule = nil`, ``},
		{`function rule(e) return e.a == "x" end function rule(e) return true end`, ``},
		{`function rule(e) if e.a ~= "x" then return nil end end`, ``},
		{`function rule(e) return e.n == 1 end`, `n=[1]`},
		// Numbers, booleans, comparisons.
		{`function rule(e) return (e.status == 401 or e.status == 403) and f(e) end`, `status=[401 403]`},
		{`function rule(e) return e.auth_success == false and f(e) end`, `auth_success=false`},
		{`function rule(e) if e:get("alert", "severity") ~= 1 then return false end end`, `alert.severity=[1]`},
		{`function rule(e) return (e.status or 0) >= 500 and (e.status or 0) < 600 and f(e) end`, `(status or 0)>=500 (status or 0)<600`},
		{`function rule(e) if (e.status or 0) < 200 or (e.status or 0) >= 300 then return false end end`, `(status or 0)>=200 (status or 0)<300`},
		{`function rule(e) return e.a > 1 and e.b > 2 end`, `a>1`},
		{`function rule(e) return e.a > 1 and e.a < 5 and f(e) and e.a < 4 end`, `a>1 a<5`},
		{`function rule(e) return 100 < e.bytes end`, `bytes>100`},
		{`function rule(e) if e.bytes <= 0x10 then return false end end`, `bytes>16`},
		{`function rule(e) return e.a == 1 or e.a == "x" end`, `(a=[1] | a=[x])`},
		{`local T = {AXFR = true}
function rule(e) if not (T[e.qtype_name] or e.qtype == 252 or e.qtype == 251) then return false end end`, `(qtype_name=[AXFR] | qtype=[251 252])`},
		{`function rule(e) return (e.a == "x" or f(e)) and e.b == "y" end`, ``},
		{`function rule(e) return e.a < e.b end`, ``},
		{`function rule(e) return (e.a or X) > 1 end`, ``},
		{`function rule(e) return other.a == "x" end`, ``},
		// Matchers of constants.
		{`local M = match.literals({"$", "24"})
function rule(e) if not (M:test(e.a or "") or M:test(e.b)) then return false end end`, `(test(a or "") | test(b))`},
		{`local SHAPES = { {"u", [[union\s+select]], {"union"}}, {name = "s", pattern = [[(?i)sleep\(\d]]} }
local P = match.patterns(SHAPES)
function rule(e) return P:test(codec.unescape(e.request_uri or e.request or "", true)) and e.status == 200 and f(e) end`,
			`test(unescape_lower(request_uri or request or "")) status=[200]`},
		{`local P = match.patterns({ [[\d+]] })
function rule(e) return P:test(e.a) end`, ``}, // an entry without needles
		{`local M = match.literals({"x"})
function rule(e) M = nil return M:test(e.a) end`, ``}, // assigned
		{`local M = match.literals({"x"})
local function match() end
function rule(e) return M:test(e.a) end`, ``}, // match rebound
		{`local M = match.literals({"x"})
function rule(e) local codec = other return M:test(codec.unescape(e.a)) end`, ``},
		{`local L = {"x"}
local M = match.literals(L)
function rule(e) return M:test(e.a) end
function title(e) return L[1] end`, ``}, // the list is used elsewhere
		{`local M = match.literals({"x"})
function rule(e) return M:test(e.a .. "y") end`, ``},
		// Matchers of a list read when rule() runs (a helper's, mockable).
		{`local H = { list = {"x"} }
function rule(e) if not match.literals(H.list, { ignore_case = true }):test(e.ua) then return false end end`, `H.list:test(ua)`},
		{`local H = require("h")
function rule(e) return match.literals(H.list):test(e.ua or "") and e.status == 1 end`, `H.list:test(ua or "")`}, // it may raise: nothing after it counts
		{`function rule(e) return match.literals(H.list):test(e.ua) end`, ``}, // H a global
		{`local H = {}
function rule(H) return match.literals(H.list):test(H.ua) end`, ``}, // a parameter
		{`local H = {}
local match = other
function rule(e) return match.literals(H.list):test(e.ua) end`, ``},
		{`local H = {}
function rule(e) return match.literals(H.list, opts):test(e.ua) end`, ``},
		{`local H = {}
function rule(e) return match.patterns(H.list):test(e.ua) end`, ``},
		// Sets that could change, or are not sets of truthy constants.
		{`local S = {A = true}
S.B = true
function rule(e) return S[e.k] ~= nil end`, ``},
		{`local S = {A = true}
local function add(t) t.B = true end add(S)
function rule(e) return S[e.k] ~= nil end`, ``},
		{`local S = {A = false}
function rule(e) return S[e.k] ~= nil end`, ``},
		{`local S = {A = true}
function rule(e) local S = {} return S[e.k] ~= nil end`, ``},
		{`local S = {A = true}
function rule(e) return S[e.k or "A"] end`, ``},
	}
	for _, c := range cases {
		ch, err := Compile("g.lua", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got := ""
		if g := ch.Guard("rule"); g != nil {
			var parts []string
			for _, cd := range g.Conds {
				parts = append(parts, cd.String())
			}
			got = strings.Join(parts, " ")
		}
		if got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

func TestCondHolds(t *testing.T) {
	ev := func(js string) *event.Event {
		e := event.New()
		if err := e.ParseJSON([]byte(js)); err != nil {
			t.Fatal(err)
		}
		return e
	}
	status := []string{"status"}
	cases := []struct {
		c    Cond
		js   string
		want bool
	}{
		{Cond{Path: status, Kind: NumberIn, Nums: []float64{404}}, `{"status":404}`, true},
		{Cond{Path: status, Kind: NumberIn, Nums: []float64{404}}, `{"status":"404"}`, false}, // Lua: "404" ~= 404
		{Cond{Path: status, Kind: NumberIn, Nums: []float64{404}}, `{}`, false},
		{Cond{Path: status, Kind: StringIn, Values: []string{"x"}}, `{"status":"x"}`, true},
		{Cond{Path: status, Kind: StringIn, Values: []string{"x"}}, `{"status":null}`, false},
		{Cond{Path: status, Kind: BoolIs, Bool: false}, `{"status":false}`, true},
		{Cond{Path: status, Kind: BoolIs, Bool: false}, `{"status":null}`, false}, // nil == false is false
		{Cond{Path: status, Kind: NumberCmp, Op: ">=", Nums: []float64{500}}, `{"status":503}`, true},
		{Cond{Path: status, Kind: NumberCmp, Op: ">=", Nums: []float64{500}}, `{"status":200}`, false},
		// Lua raises an error comparing these: the guard lets Lua say so.
		{Cond{Path: status, Kind: NumberCmp, Op: ">=", Nums: []float64{500}}, `{"status":"503"}`, true},
		{Cond{Path: status, Kind: NumberCmp, Op: ">=", Nums: []float64{500}}, `{}`, true},
		{Cond{Path: status, Kind: NumberCmp, Op: ">=", Nums: []float64{500}, HasDefault: true}, `{}`, false},
		{Cond{Path: status, Kind: NumberCmp, Op: "<", Nums: []float64{1}, HasDefault: true}, `{"status":null}`, true},
		{matcherCond(t, `"x"`), `{"status":"a%78b"}`, true},
		{matcherCond(t, `"x"`), `{"status":"aXb"}`, true}, // lower-cased
		{matcherCond(t, `"x"`), `{"status":"ab"}`, false},
		{matcherCond(t, `"x"`), `{"status":5}`, false}, // :test("") after codec
		{matcherCond(t, `"x"`), `{}`, false},
	}
	for _, c := range cases {
		e := ev(c.js)
		if got := c.c.HoldsOn(e); got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.c.String(), c.js, got, c.want)
		}
		e.Release()
	}
}

// matcherCond is the guard of M:test(codec.unescape(e.status, true)), M
// the literals of list.
func matcherCond(t *testing.T, list string) Cond {
	ch, err := Compile("m.lua", []byte("local M = match.literals({"+list+"})\nfunction rule(e) return M:test(codec.unescape(e.status, true)) end"))
	if err != nil {
		t.Fatal(err)
	}
	g := ch.Guard("rule")
	if g == nil || len(g.Conds) != 1 {
		t.Fatalf("no matcher guard: %v", g)
	}
	return g.Conds[0]
}

// TestLiveGuardFollowsTheList: the guard of match.literals(H.list):test(...)
// reads the list rule() would read, replaced or not, and lets Lua decide
// on a list match.literals refuses.
func TestLiveGuardFollowsTheList(t *testing.T) {
	src := `local H = { list = { { "nikto", "Nikto" }, "sqlmap" } }
function set(l) H.list = l end
function rule(e)
  if not match.literals(H.list, { ignore_case = true }):test(e.ua) then
    return false
  end
  return true
end`
	ch, err := Compile("live.lua", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := ch.Guard("rule")
	if g == nil || len(g.Conds) != 1 {
		t.Fatalf("no guard: %v", g)
	}
	vm := New(Options{})
	defer vm.Close()
	env, err := vm.Load(ch, nil)
	if err != nil {
		t.Fatal(err)
	}
	rule, set := env.Func("rule"), env.Func("set")
	lists := []struct {
		name string
		list lua.LValue
	}{
		{"the default", nil},
		{"a mock", vm.FromGo([]any{"curl/", []any{"Mozilla", "a browser"}})},
		{"an empty list", vm.FromGo([]any{})},
		{"a bad list", vm.FromGo([]any{"x", 5.0})}, // Lua raises: the guard must pass
		{"not a list", lua.LString("x")},
	}
	uas := []string{`"Mozilla/5.0 (Nikto/2.5)"`, `"SQLMAP/1.8"`, `"curl/8.1"`, `"Mozilla/5.0"`, `"Ünïcode MOZILLA"`, `5`, `null`}
	for _, l := range lists {
		if l.list != nil {
			if _, err := vm.Call(set, l.list); err != nil {
				t.Fatal(err)
			}
		}
		for _, ua := range uas {
			e := event.New()
			if err := e.ParseJSON([]byte(`{"ua":` + ua + `}`)); err != nil {
				t.Fatal(err)
			}
			ret, err := vm.Call(rule, vm.NewEvent(e, nil))
			want := err != nil || ret == lua.LTrue // an error must reach Lua
			if got := g.Conds[0].HoldsIn(vm, rule, e); got != want {
				t.Errorf("%s, ua %s: guard %v, rule() %v (err %v)", l.name, ua, got, ret, err)
			}
			if !g.Conds[0].HoldsOn(e) {
				t.Errorf("%s, ua %s: without the VM the guard must pass", l.name, ua)
			}
			e.Release()
		}
	}
}

// TestSharedScansAgree: the guards' matcher tests answered from one scan
// per input (ShareScans) agree with each test alone, on ASCII and other
// text, encoded or not, absent or not a string.
func TestSharedScansAgree(t *testing.T) {
	srcs := []string{
		`local A = match.literals({"../", "..\\"})
function rule(e) return A:test(codec.unescape(e.u or e.r or "", true)) end`,
		`local B = match.patterns({ {"x", [[union\s+select]], {"union"}}, {"y", [[(?i)SLEEP\(]]} })
function rule(e) return B:test(codec.unescape(e.u or e.r or "", true)) end`,
		`local S = match.literals({"/.env", "/.git/"})
function rule(e) if not (S:test(codec.unescape(e.u or e.r or "", true)) or S:test(codec.unescape(e.ref, true))) then return false end end`,
		`local C = match.literals({"NiKto", "sqlmap"}, { ignore_case = true })
function rule(e) return C:test(e.u) end`,
		`local D = match.literals({"$", "24"})
function rule(e) return D:test(e.u) end`,
	}
	vm := New(Options{})
	defer vm.Close()
	var guards []*Guard
	for i, src := range srcs {
		ch, err := Compile("s.lua", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		g := ch.Guard("rule")
		if g == nil {
			t.Fatalf("source %d: no guard", i)
		}
		guards = append(guards, g)
		vm.ShareScans(g)
	}
	if vm.scans == nil || len(vm.scans.groups) != 3 {
		t.Fatalf("want 3 groups (target, referer, raw user agent), got %+v", vm.scans)
	}
	docs := []string{
		`{"u":"/a/../../etc/passwd"}`, `{"u":"/a/%2e%2e%2fetc"}`, `{"u":"/x?q=1 UNION  SELECT 2"}`, `{"u":"/x?q=union%20select"}`,
		`{"u":"/x?q=sleep(5)"}`, `{"u":"/x?q=SLEEP(5)"}`, `{"u":"/x?q=ſleep(5)"}`, `{"u":"/İ/../"}`, `{"u":"/.ENV"}`,
		`{"u":"/static/app.js"}`, `{"r":"GET /.git/config HTTP/1.0"}`, `{"r":5}`, `{}`, `{"u":null,"r":"/.env"}`,
		`{"u":"/","ref":"http://x/%2e%2e/"}`, `{"u":"/","ref":"http://x/.GIT/"}`, `{"u":"Mozilla (Nikto/2)"}`, `{"u":"x$y"}`,
		`{"u":"SQLMAP ünïcode"}`, `{"u":false}`, `{"u":"%2524"}`,
	}
	for _, js := range docs {
		e := event.New()
		if err := e.ParseJSON([]byte(js)); err != nil {
			t.Fatal(err)
		}
		vm.NewEvent(e, nil)
		for i, g := range guards {
			for j := range g.Conds {
				c := &g.Conds[j]
				alone := c.HoldsWith(e, vm.Unescape)
				if shared := c.HoldsIn(vm, nil, e); shared != alone {
					t.Errorf("source %d, %s on %s: shared %v, alone %v", i, c.String(), js, shared, alone)
				}
			}
		}
		e.Release()
	}
}
