package luavm

import (
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/valyala/fastjson"
	lua "github.com/yuin/gopher-lua"

	"panther/parsers"
)

// Our modules. Each is a global of the sandbox and also what
// require("json") (etc.) returns.
//
//	json.encode(v) -> string         json.decode(s) -> value (errors raise)
//	re.match(p, s) -> bool           re.find(p, s) -> string|nil
//	re.find_all(p, s [, n]) -> {..}  re.groups(p, s) -> {whole, g1, ..., name=..}|nil
//	re.replace(p, s, repl) -> string re.split(p, s [, n]) -> {..}
//	re.quote(s) -> string            (Go regexp syntax; compiled once per VM)
//	net.is_ip(s), net.is_ipv4(s), net.is_ipv6(s), net.is_private(ip)
//	net.is_internal(ip)  in the internal networks setting (default: the
//	    private ranges; see Networks); net.is_private is the address's kind
//	net.in_cidr(ip, cidr_or_list) -> bool
//	time.now() -> seconds since the epoch (float)
//	time.parse(s [, layout]) -> seconds|nil, err  (RFC 3339 and relaxed forms by
//	    default; a Go layout or strftime pattern otherwise)
//	time.format(t [, layout]) -> string (RFC 3339 UTC by default)
//	time.hour(t), time.weekday(t) (0 = Sunday), time.date(t) -> "YYYY-MM-DD"  (UTC)

func (vm *VM) openJSON() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		// The buffers of an encoding add up to about twice its result.
		limit := min(MaxString, (MaxCallAlloc-int(vm.alloc))/2)
		b, err := vm.ToJSONLimit(nil, L.CheckAny(1), max(limit, 0))
		vm.check(L)
		if err != nil {
			L.RaiseError("json.encode: %s", err.Error())
		}
		vm.charge(L, "json.encode", 2*int64(cap(b)))
		L.Push(lua.LString(b))
		return 1
	}))
	t.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		s := L.CheckString(1)
		// The parser holds a value (about 64 bytes) per JSON value: bound
		// their number by the separators before parsing.
		values := 1 + strings.Count(s, ",") + strings.Count(s, ":") + strings.Count(s, "[") + strings.Count(s, "{")
		vm.charge(L, "json.decode", int64(len(s))+int64(values)*64)
		var p fastjson.Parser
		v, err := p.Parse(s)
		if err != nil {
			L.RaiseError("json.decode: %s", err.Error())
		}
		L.Push(vm.fromJSON(L, v, &stepper{vm: vm, L: L}))
		return 1
	}))
	return t
}

type regexCache struct{ m map[string]*rx }

func newRegexCache() *regexCache { return &regexCache{m: map[string]*rx{}} }

func (vm *VM) regex(L *lua.LState, p string) *rx {
	if re, ok := vm.res.m[p]; ok {
		return re
	}
	re, err := regexp.Compile(p)
	if err != nil {
		L.RaiseError("re: bad pattern %q: %s", p, err.Error())
	}
	if len(vm.res.m) > 4096 {
		// Patterns built from event data would grow the cache forever.
		clear(vm.res.m)
	}
	r := newRx(re)
	vm.res.m[p] = r
	return r
}

// The re functions search one match at a time under the budget (rx.go)
// and charge the tables and strings they build.
const tableEntryCost = 32

func (vm *VM) openRe() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fn := func(name string, f lua.LGFunction) { t.RawSetString(name, L.NewFunction(f)) }
	fn("match", func(L *lua.LState) int {
		re, s := vm.regex(L, L.CheckString(1)), L.CheckString(2)
		L.Push(lua.LBool(vm.searchFrom(L, re, s, 0) != nil))
		return 1
	})
	fn("find", func(L *lua.LState) int {
		re, s := vm.regex(L, L.CheckString(1)), L.CheckString(2)
		loc := vm.searchFrom(L, re, s, 0)
		if loc == nil {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LString(s[loc[0]:loc[1]]))
		return 1
	})
	fn("find_all", func(L *lua.LState) int {
		re, s, n := vm.regex(L, L.CheckString(1)), L.CheckString(2), L.OptInt(3, -1)
		out := L.NewTable()
		vm.eachMatch(L, re, s, n, func(m []int) {
			vm.charge(L, "re.find_all", tableEntryCost)
			out.Append(lua.LString(s[m[0]:m[1]]))
		})
		L.Push(out)
		return 1
	})
	fn("groups", func(L *lua.LState) int {
		re, s := vm.regex(L, L.CheckString(1)), L.CheckString(2)
		m := vm.searchFrom(L, re, s, 0)
		if m == nil {
			L.Push(lua.LNil)
			return 1
		}
		out := L.NewTable()
		names := re.re.SubexpNames()
		for i := 0; i*2 < len(m); i++ {
			var v lua.LValue = lua.LNil
			if m[2*i] >= 0 {
				v = lua.LString(s[m[2*i]:m[2*i+1]])
			}
			out.RawSetInt(i+1, v)
			if i < len(names) && names[i] != "" {
				out.RawSetString(names[i], v)
			}
		}
		L.Push(out)
		return 1
	})
	fn("replace", func(L *lua.LState) int {
		re := vm.regex(L, L.CheckString(1))
		L.Push(lua.LString(vm.replaceAll(L, re, L.CheckString(2), L.CheckString(3))))
		return 1
	})
	fn("split", func(L *lua.LState) int {
		re, s, n := vm.regex(L, L.CheckString(1)), L.CheckString(2), L.OptInt(3, -1)
		out := L.NewTable()
		// Regexp.Split, one match at a time.
		switch {
		case n == 0:
			L.Push(out)
			return 1
		case len(re.re.String()) > 0 && len(s) == 0:
			out.Append(lua.LString(""))
			L.Push(out)
			return 1
		}
		beg, end, parts := 0, 0, 0
		vm.eachMatch(L, re, s, n, func(m []int) {
			if n > 0 && parts == n-1 {
				return
			}
			end = m[0]
			if m[1] != 0 {
				vm.charge(L, "re.split", tableEntryCost)
				out.Append(lua.LString(s[beg:end]))
				parts++
			}
			beg = m[1]
		})
		if end != len(s) {
			out.Append(lua.LString(s[beg:]))
		}
		L.Push(out)
		return 1
	})
	fn("quote", func(L *lua.LState) int {
		s := L.CheckString(1)
		vm.charge(L, "re.quote", 2*int64(len(s)))
		L.Push(lua.LString(regexp.QuoteMeta(s)))
		return 1
	})
	return t
}

type cidrCache struct{ m map[string]netip.Prefix }

func newCIDRCache() *cidrCache { return &cidrCache{m: map[string]netip.Prefix{}} }

func (vm *VM) prefix(L *lua.LState, s string) netip.Prefix {
	if p, ok := vm.nets.m[s]; ok {
		return p
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			L.RaiseError("net.in_cidr: %q is not a CIDR", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	p = p.Masked()
	if len(vm.nets.m) > 4096 {
		clear(vm.nets.m)
	}
	vm.nets.m[s] = p
	return p
}

func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return a, false
	}
	return a.Unmap(), true
}

func (vm *VM) openNet() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fn := func(name string, f lua.LGFunction) { t.RawSetString(name, L.NewFunction(f)) }
	isIP := func(pred func(netip.Addr) bool) lua.LGFunction {
		return func(L *lua.LState) int {
			s, ok := L.Get(1).(lua.LString)
			if !ok {
				L.Push(lua.LFalse)
				return 1
			}
			a, ok := parseIP(string(s))
			L.Push(lua.LBool(ok && pred(a)))
			return 1
		}
	}
	fn("is_ip", isIP(func(netip.Addr) bool { return true }))
	fn("is_ipv4", isIP(netip.Addr.Is4))
	fn("is_ipv6", isIP(netip.Addr.Is6))
	fn("is_private", isIP(isPrivate))
	fn("is_internal", isIP(vm.opts.Internal.Contains))
	fn("in_cidr", func(L *lua.LState) int {
		s, ok := L.Get(1).(lua.LString)
		if !ok {
			L.Push(lua.LFalse)
			return 1
		}
		a, ok := parseIP(string(s))
		if !ok {
			L.Push(lua.LFalse)
			return 1
		}
		check := func(c string) bool { return vm.prefix(L, c).Contains(a) }
		switch c := L.CheckAny(2).(type) {
		case lua.LString:
			L.Push(lua.LBool(check(string(c))))
		case *lua.LTable:
			found := false
			vm.target(c).ForEach(func(_, v lua.LValue) {
				if s, ok := v.(lua.LString); ok && !found {
					found = check(string(s))
				}
			})
			L.Push(lua.LBool(found))
		default:
			L.ArgError(2, "CIDR string or list of CIDRs expected")
		}
		return 1
	})
	return t
}

// isPrivate is net.is_private: a private, loopback, link-local, CGNAT or
// unspecified address.
func isPrivate(a netip.Addr) bool {
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || cgnat.Contains(a)
}

var (
	cgnat           = netip.MustParsePrefix("100.64.0.0/10")
	defaultNetworks = DefaultNetworks()
)

// epochSeconds is t in seconds since the epoch. UnixNano would overflow
// outside 1678-2262, and credential reports and test data hold dates such
// as 0001-01-01 and 3000-01-01.
func epochSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func (vm *VM) openTime() *lua.LTable {
	L := vm.L
	t := L.NewTable()
	fn := func(name string, f lua.LGFunction) { t.RawSetString(name, L.NewFunction(f)) }
	toTime := func(L *lua.LState, i int) time.Time {
		f := float64(L.CheckNumber(i))
		tt, _ := parsers.FromEpoch(f, time.Second)
		return tt
	}
	fn("now", func(L *lua.LState) int {
		L.Push(lua.LNumber(epochSeconds(vm.opts.Now())))
		return 1
	})
	fn("parse", func(L *lua.LState) int {
		s := L.CheckString(1)
		var tt time.Time
		ok := false
		if layout := L.OptString(2, ""); layout != "" {
			f, err := parsers.ParseTimeFormat(layout)
			if err != nil {
				L.RaiseError("time.parse: %s", err.Error())
			}
			var a fastjson.Arena
			tt, ok = f(a.NewString(s))
		} else {
			tt, ok = parsers.ParseRFC3339ish(s)
		}
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("cannot parse time " + s))
			return 2
		}
		L.Push(lua.LNumber(epochSeconds(tt)))
		return 1
	})
	fn("format", func(L *lua.LState) int {
		tt := toTime(L, 1)
		layout := L.OptString(2, time.RFC3339)
		if strings.Contains(layout, "%") {
			l, err := parsers.StrftimeToLayout(layout)
			if err != nil {
				L.RaiseError("time.format: %s", err.Error())
			}
			layout = l
		}
		L.Push(lua.LString(tt.Format(layout)))
		return 1
	})
	fn("hour", func(L *lua.LState) int { L.Push(lua.LNumber(toTime(L, 1).Hour())); return 1 })
	fn("weekday", func(L *lua.LState) int { L.Push(lua.LNumber(toTime(L, 1).Weekday())); return 1 })
	fn("date", func(L *lua.LState) int { L.Push(lua.LString(toTime(L, 1).Format("2006-01-02"))); return 1 })
	return t
}
