package luavm

import (
	"fmt"
	"testing"
)

func TestFindGuards(t *testing.T) {
	cases := []struct {
		src  string
		want string // fmt of the guard, "" for none
	}{
		{`function rule(e) if e.eventSource ~= "s3.amazonaws.com" then return false end return true end`, `[eventSource] [s3.amazonaws.com]`},
		{`function rule(e) return e.eventName == "A" and e.x end`, `[eventName] [A]`},
		{`function rule(e) return (e.eventName == "A" or e.eventName == "B") and e.x end`, `[eventName] [A B]`},
		{`function rule(e) if e.eventSource ~= "x" or e.eventName ~= "y" then return false end end`, `[eventSource] [x]`},
		{`function rule(e) if not (e.userIdentity.type == "Root") then return false end end`, `[userIdentity type] [Root]`},
		{`function rule(event) return event:get("a", "b") == "c" end`, `[a b] [c]`},
		{`function rule(e) return "lit" == e["k"] end`, `[k] [lit]`},
		// No guard:
		{`function rule(e) return e.eventName ~= "A" end`, ``},
		{`function rule(e) return e.a == "x" or e.b == "y" end`, ``},
		{`function rule(e) if e.a == "x" then return false end end`, ``},
		{`function rule(e) local n = e.eventName if n ~= "A" then return false end end`, ``},
		{`function rule(e) e = other() return e.a == "x" end`, ``},
		{`function rule(e) return e.a == X end`, ``},
		{`function rule(e) return e.a == "x" end rule = nil`, ``},
		{`function rule(e) return e.a == "x" end function rule(e) return true end`, ``},
		{`function rule(e) if e.a ~= "x" then return nil end end`, ``},
		{`function rule(e) return e.n == 1 end`, ``},
		{`function rule(e) return other.a == "x" end`, ``},
	}
	for _, c := range cases {
		ch, err := Compile("g.lua", []byte(c.src))
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		got := ""
		if g := ch.Guard("rule"); g != nil {
			got = fmt.Sprint(g.Path, " ", g.Values)
		}
		if got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}
