package luavm

import (
	"strconv"
	"strings"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// The string and table functions that loop or allocate in Go, rewritten
// or wrapped so that they observe the call's budget and allocation limit
// (limits.go): find, match, gmatch and gsub run on the compiled RE2 cache
// (pattern.go) or on our own matcher (lpattern.go), never on gopher-lua's;
// gsub builds its result once (gopher-lua copies the whole string at every
// match: 100,000 matches took 18 s); format, rep, upper, lower, reverse
// and concat charge their result before they build it. format's plain
// case (%s and %d only) is formatted in Go (plainFormat): a title of three
// %s costs 1.2 µs instead of 3.0 with gopher-lua's (BenchmarkFormat runs
// both).

// outBuf builds a result under the limits: MaxString for the result, the
// call's allocation limit for every buffer it allocates (it doubles, so
// they add up to twice the result at most).
type outBuf struct {
	b  []byte
	vm *VM
	L  *lua.LState
	fn string
}

// need makes room for n more bytes, or raises the limit's error.
func (o *outBuf) need(n int) {
	total := len(o.b) + n
	if total > MaxString || total < 0 {
		o.L.RaiseError("%s: result over the %d byte limit", o.fn, MaxString)
	}
	if total > cap(o.b) {
		c := min(max(2*cap(o.b), total, 64), MaxString)
		o.vm.charge(o.L, o.fn, int64(c))
		b := make([]byte, len(o.b), c)
		copy(b, o.b)
		o.b = b
	}
}

func (o *outBuf) add(s string) {
	o.need(len(s))
	o.b = append(o.b, s...)
}

func (o *outBuf) addByte(c byte) {
	if len(o.b) == cap(o.b) {
		o.need(1)
	}
	o.b = append(o.b, c)
}

// String returns the result without copying it; o is done.
func (o *outBuf) String() string { return unsafe.String(unsafe.SliceData(o.b), len(o.b)) }

// strFind is string.find (find) or string.match.
func (vm *VM) strFind(find bool) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		p := L.CheckString(2)
		init := startIndex(L.OptInt(3, 1), len(s))
		if init > len(s) {
			L.Push(lua.LNil)
			return 1
		}
		if find && (L.GetTop() >= 4 && lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(p, "^$*+?.([%-")) {
			// A plain search.
			i := strings.Index(s[init:], p)
			if i < 0 {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(lua.LNumber(init + i + 1))
			L.Push(lua.LNumber(init + i + len(p)))
			return 2
		}
		if re := vm.patterns.compiled(p); re != nil && ascii(s) {
			m := vm.searchSub(L, re, s, init)
			if m == nil {
				L.Push(lua.LNil)
				return 1
			}
			n := 0
			if find {
				L.Push(lua.LNumber(m[0] + 1))
				L.Push(lua.LNumber(m[1]))
				n = 2
			}
			if len(m) == 2 {
				if !find {
					L.Push(lua.LString(s[m[0]:m[1]]))
					n++
				}
				return n
			}
			for k := 2; k < len(m); k += 2 {
				if m[k] < 0 {
					L.Push(lua.LNil)
				} else {
					L.Push(lua.LString(s[m[k]:m[k+1]]))
				}
				n++
			}
			return n
		}
		lm := vm.newMatch(L, s, p)
		st, e := lm.find(init)
		if st < 0 {
			L.Push(lua.LNil)
			return 1
		}
		if find {
			L.Push(lua.LNumber(st + 1))
			L.Push(lua.LNumber(e))
			return 2 + lm.pushCaptures(L, st, e, false)
		}
		return lm.pushCaptures(L, st, e, true)
	}
}

// matcher finds the successive matches of one pattern in one string, on
// the RE2 cache or on our matcher.
type matcher struct {
	s      string
	re     *rx
	lm     *lmatch
	anchor bool
	m      []int // RE2 submatches of the last match
}

func (vm *VM) newMatcher(L *lua.LState, s, p string) *matcher {
	mt := &matcher{s: s, anchor: strings.HasPrefix(p, "^")}
	if re := vm.patterns.compiled(p); re != nil && ascii(s) {
		mt.re = re
	} else {
		mt.lm = vm.newMatch(L, s, p)
	}
	return mt
}

// next returns the leftmost match at or after pos (only at pos when the
// pattern is anchored), or -1, -1.
func (mt *matcher) next(vm *VM, L *lua.LState, pos int) (int, int) {
	if mt.lm != nil {
		return mt.lm.find(pos)
	}
	if mt.anchor && pos > 0 {
		return -1, -1 // \A holds only at the start of the string
	}
	mt.m = vm.searchSub(L, mt.re, mt.s, pos)
	if mt.m == nil {
		return -1, -1
	}
	return mt.m[0], mt.m[1]
}

// captures returns how many captures the last match has.
func (mt *matcher) captures() int {
	if mt.lm != nil {
		return mt.lm.level
	}
	return len(mt.m)/2 - 1
}

// capture returns capture i of the last match [s, e): the whole match when
// there are no captures and i is 0.
func (mt *matcher) capture(L *lua.LState, i, s, e int) lua.LValue {
	if mt.lm != nil {
		return mt.lm.capture(i, s, e)
	}
	n := mt.captures()
	if i >= n {
		if i == 0 {
			return lua.LString(mt.s[s:e])
		}
		L.RaiseError("invalid capture index")
	}
	a, b := mt.m[2*i+2], mt.m[2*i+3]
	if a < 0 {
		return lua.LNil
	}
	return lua.LString(mt.s[a:b])
}

func (mt *matcher) push(L *lua.LState, s, e int) int {
	n := max(mt.captures(), 1)
	for i := 0; i < n; i++ {
		L.Push(mt.capture(L, i, s, e))
	}
	return n
}

func (vm *VM) strGmatch(L *lua.LState) int {
	s := L.CheckString(1)
	mt := vm.newMatcher(L, s, L.CheckString(2))
	pos, done := 0, false
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if done || pos > len(s) {
			return 0
		}
		// An anchored pattern matches at most once, at the start.
		done = mt.anchor
		st, e := mt.next(vm, L, pos)
		if st < 0 {
			done = true
			return 0
		}
		if e == st {
			pos = e + 1
		} else {
			pos = e
		}
		return mt.push(L, st, e)
	}))
	return 1
}

func (vm *VM) strGsub(L *lua.LState) int {
	src := L.CheckString(1)
	p := L.CheckString(2)
	repl := L.CheckAny(3)
	switch repl.(type) {
	case lua.LString, lua.LNumber, *lua.LTable, *lua.LFunction:
	default:
		L.ArgError(3, "string/function/table expected, got "+repl.Type().String())
	}
	maxN := L.OptInt(4, len(src)+1)
	mt := vm.newMatcher(L, src, p)
	out := outBuf{vm: vm, L: L, fn: "string.gsub"}
	st := stepper{vm: vm, L: L}
	n, s := 0, 0
	for n < maxN && s <= len(src) {
		st.step(16)
		a, e := mt.next(vm, L, s)
		if a < 0 {
			break
		}
		out.add(src[s:a])
		n++
		vm.gsubValue(L, mt, &out, repl, a, e)
		if e > a {
			s = e
		} else {
			if a < len(src) {
				out.addByte(src[a])
			}
			s = a + 1
		}
		if mt.anchor {
			break
		}
	}
	if s < len(src) {
		out.add(src[s:])
	}
	L.Push(lua.LString(out.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// gsubValue appends the replacement of the match [s, e).
func (vm *VM) gsubValue(L *lua.LState, mt *matcher, out *outBuf, repl lua.LValue, s, e int) {
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		t := lua.LVAsString(r)
		for i := 0; i < len(t); i++ {
			c := t[i]
			if c != '%' {
				out.addByte(c)
				continue
			}
			if i++; i >= len(t) {
				break
			}
			switch d := t[i]; {
			case d == '0':
				out.add(mt.s[s:e])
			case d >= '1' && d <= '9':
				out.add(lua.LVAsString(mt.capture(L, int(d-'1'), s, e)))
			default:
				out.addByte(d) // "%%" is '%'
			}
		}
		return
	case *lua.LTable:
		v = L.GetTable(r, mt.capture(L, 0, s, e))
	case *lua.LFunction:
		L.Push(r)
		n := mt.push(L, s, e)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	}
	switch x := v.(type) {
	case *lua.LNilType:
		out.add(mt.s[s:e])
	case lua.LBool:
		if !x {
			out.add(mt.s[s:e])
			return
		}
		L.RaiseError("invalid replacement value (a boolean)")
	case lua.LString, lua.LNumber:
		out.add(lua.LVAsString(x))
	default:
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
}

// formatBound is an upper bound on the length of string.format's result.
func formatBound(L *lua.LState, f string) int64 {
	total := int64(len(f))
	arg := 2
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		width, prec, digits := 0, 0, 0
		inPrec := false
		for ; i < len(f); i++ {
			c := f[i]
			if c >= '0' && c <= '9' {
				if digits++; digits > 3 {
					L.RaiseError("string.format: field width or precision over 999")
				}
				if inPrec {
					prec = prec*10 + int(c-'0')
				} else {
					width = width*10 + int(c-'0')
				}
				continue
			}
			if c == '.' {
				inPrec, digits = true, 0
				continue
			}
			if c == '-' || c == '+' || c == ' ' || c == '#' {
				digits = 0
				continue
			}
			break
		}
		bound := int64(width + prec + 400) // numbers: 309 digits at most, and a sign
		if arg <= L.GetTop() {
			if s, ok := L.Get(arg).(lua.LString); ok {
				mult := int64(1)
				if i < len(f) && f[i] == 'q' {
					mult = 6 // Go's %q: \u00XX-style escapes
				}
				bound += mult * int64(len(s))
			}
		}
		arg++
		total += bound
	}
	return total
}

// fastFormat turns plainFormat on; BenchmarkFormat turns it off to time
// gopher-lua's string.format, which it replaces for the plain case.
var fastFormat = true

func (vm *VM) wrapFormat(format *lua.LFunction) lua.LGFunction {
	var buf []byte
	return func(L *lua.LState) int {
		f := L.CheckString(1)
		vm.chargeResult(L, "string.format", formatBound(L, f))
		if out, ok := plainFormat(L, f, buf[:0]); ok && fastFormat {
			buf = out
			L.Push(lua.LString(out))
			return 1
		}
		return format.GFunction(L)
	}
}

// plainFormat formats the common case of string.format in Go: only %s and
// %d directives without flags, width or precision, each with a string or
// number argument (%d: a number). It gives what gopher-lua's string.format
// gives (fmt.Sprintf through the values' Format methods, which costs a
// microsecond a directive), and reports false for anything else, which
// then takes that path.
func plainFormat(L *lua.LState, f string, buf []byte) ([]byte, bool) {
	top := L.GetTop()
	arg := 2
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			buf = append(buf, c)
			continue
		}
		i++
		if i == len(f) {
			return nil, false
		}
		switch f[i] {
		case '%':
			buf = append(buf, '%')
			continue
		case 's', 'd':
		default:
			return nil, false
		}
		if arg > top {
			return nil, false
		}
		switch v := L.Get(arg).(type) {
		case lua.LString:
			if f[i] != 's' {
				return nil, false
			}
			buf = append(buf, v...)
		case lua.LNumber:
			if f[i] == 's' {
				buf = append(buf, v.String()...)
			} else {
				buf = strconv.AppendInt(buf, int64(v), 10)
			}
		default:
			return nil, false
		}
		arg++
	}
	// gopher-lua passes fmt.Sprintf as many arguments as it counts
	// directives this way ("%%%s" counts two); when that is not the number
	// of directives, fmt's %!(EXTRA ...) marker appears: leave it to fmt.
	if strings.Count(f, "%")-strings.Count(f, "%%") != arg-2 {
		return nil, false
	}
	return buf, true
}

func (vm *VM) strRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	sep := L.OptString(3, "")
	if n <= 0 {
		L.Push(lua.LString(""))
		return 1
	}
	size := int64(len(s)+len(sep)) * int64(n)
	if size > MaxString || size < 0 {
		L.RaiseError("string.rep: result of %d bytes is over the %d byte limit", size, MaxString)
	}
	vm.charge(L, "string.rep", size)
	// strings.Repeat copies in doubling steps: 16 M one-byte pieces are a
	// few copies, not 16 M appends.
	if sep == "" {
		L.Push(lua.LString(strings.Repeat(s, n)))
		return 1
	}
	L.Push(lua.LString(strings.Repeat(s+sep, n-1) + s))
	return 1
}

// charged wraps a string function whose result is at most mult times its
// first argument (upper and lower may turn each invalid byte into a
// three-byte replacement character).
func (vm *VM) charged(name string, fn *lua.LFunction, mult int64) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		size := int64(len(s))
		if mult > 1 && !ascii(s) {
			size *= mult
		}
		vm.chargeResult(L, name, size)
		return fn.GFunction(L)
	}
}

func (vm *VM) tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	n := t.Len()
	i := L.OptInt(3, 1)
	j := L.OptInt(4, n)
	// gopher-lua's bounds, kept: detections rely on them.
	if L.GetTop() == 3 && (i > n || i < 1) {
		L.Push(lua.LString(""))
		return 1
	}
	i = max(min(i, n), 1)
	j = min(j, n)
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	st := stepper{vm: vm, L: L}
	total := int64(len(sep)) * int64(j-i)
	if total > MaxString {
		L.RaiseError("table.concat: result over the %d byte limit", MaxString)
	}
	for k := i; k <= j; k++ {
		st.step(1)
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			total += int64(len(v))
		case lua.LNumber:
			total += int64(len(v.String()))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for concat", v.Type().String(), k)
		}
		if total > MaxString {
			L.RaiseError("table.concat: result over the %d byte limit", MaxString)
		}
	}
	vm.chargeResult(L, "table.concat", total)
	var b strings.Builder
	b.Grow(int(total))
	for k := i; k <= j; k++ {
		st.step(1)
		if k > i {
			b.WriteString(sep)
		}
		b.WriteString(lua.LVAsString(t.RawGetInt(k)))
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
