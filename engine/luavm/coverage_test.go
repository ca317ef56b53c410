package luavm

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

const coveredSrc = `local M = {}          -- 1
function rule(e)                   -- 2
  if e.eventName == "StopLogging" then -- 3
    return true                    -- 4
  elseif e.eventName == "DeleteTrail" then -- 5
    return true                    -- 6
  end
  for _, r in ipairs(e.resources) do -- 8
    if r.type == "X" then return true end -- 9
  end
  local f = function(x)            -- 11
    return x + 1                   -- 12
  end
  return false                     -- 14
end
function title(e) return "t" end   -- 16
`

func TestCoverage(t *testing.T) {
	c, err := CompileWith("cov.lua", []byte(coveredSrc), CompileOptions{Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Guard("rule") != nil {
		t.Error("an instrumented chunk has guards")
	}
	vm := New(Options{})
	defer vm.Close()
	env, err := vm.Load(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(env.Globals(), coverName) {
		t.Error("the probe is listed as a global of the detection")
	}
	for _, name := range []string{"StopLogging", "Other"} {
		ev := newEvent(t, `{"eventName":"`+name+`","resources":[{"type":"A"},{"type":"B"}]}`)
		if _, err := vm.Call(env.Func("rule"), vm.NewEvent(ev, nil)); err != nil {
			t.Fatal(err)
		}
	}
	cov := c.Coverage()
	got := map[int]uint64{}
	for i, l := range cov.Lines {
		got[l] = cov.Hits[i]
	}
	want := map[int]uint64{
		1: 1, 2: 1, 16: 0, // loaded once; title's body never ran, so its line is not covered
		3: 2, 4: 1, 5: 1, 6: 0, 8: 1, 9: 0, // 9: the if ran twice, its return never
		11: 1, 12: 0, 14: 1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("line hits\n got %v\nwant %v", got, want)
	}
	if cov.Covered() != 8 || len(cov.Lines) != 12 {
		t.Errorf("covered %d of %d", cov.Covered(), len(cov.Lines))
	}
	// A second VM adds to the same counts.
	vm2 := New(Options{})
	defer vm2.Close()
	env2, _ := vm2.Load(c, nil)
	vm2.Call(env2.Func("title"), lua.LNil)
	if cov := c.Coverage(); cov.Hits[len(cov.Hits)-1] != 1 {
		t.Errorf("title after a call in another VM: %v", cov.Hits)
	}
	// Errors keep their lines: the probes take the line of their statement.
	bad, _ := CompileWith("bad.lua", []byte("function rule(e)\n  local x = nil\n  return x.y\nend\n"), CompileOptions{Coverage: true})
	benv, _ := vm.Load(bad, nil)
	if _, err := vm.Call(benv.Func("rule"), lua.LNil); err == nil || !strings.Contains(err.Error(), "bad.lua:3") {
		t.Errorf("error line: %v", err)
	}
	plain := mustChunk(t, coveredSrc)
	if plain.Coverage() != nil {
		t.Error("a plain chunk has coverage")
	}
}

// BenchmarkCoverage runs one rule compiled without and with coverage, in
// the same run: off is what every command but test --coverage compiles.
func BenchmarkCoverage(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			c, err := CompileWith("r.lua", []byte(simpleRule), CompileOptions{Coverage: on})
			if err != nil {
				b.Fatal(err)
			}
			vm := New(Options{})
			defer vm.Close()
			env, _ := vm.Load(c, nil)
			rule := env.Func("rule")
			ev := newEvent(b, ctEvent)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if v, err := vm.Call(rule, vm.NewEvent(ev, nil)); err != nil || v != lua.LTrue {
					b.Fatal(v, err)
				}
			}
		})
	}
}
