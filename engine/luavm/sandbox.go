package luavm

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// MaxString bounds any one string a built-in builds (string.rep,
// table.concat, string.format, gsub, re.replace, json.encode...); what
// they build in all during one call is bounded by MaxCallAlloc.
const MaxString = 16 << 20

// baseAllowed are the base functions kept as they are.
var baseAllowed = []string{
	"assert", "error", "pcall", "xpcall", "rawequal", "select", "setmetatable",
	"tonumber", "unpack", "_VERSION",
}

func (vm *VM) buildSandbox() {
	L := vm.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	s := L.NewTable()
	for _, name := range baseAllowed {
		s.RawSetString(name, g.RawGetString(name))
	}

	vm.roMT = L.NewTable()
	vm.roMT.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("attempt to modify a read-only table (field %q)", L.Get(2).String())
		return 0
	}))
	vm.roMT.RawSetString("__metatable", lua.LString("read-only"))
	vm.buildProxyMetatables()

	// string and table: the functions that loop or allocate in Go observe
	// the budget and the allocation limit (strlib.go); the same string
	// table serves ("x"):method().
	str := copyTable(L, g.RawGetString("string").(*lua.LTable))
	str.RawSetString("__index", lua.LNil) // the library points at itself: no way back to the raw one
	str.RawSetString("rep", L.NewFunction(vm.strRep))
	str.RawSetString("find", L.NewFunction(vm.strFind(true)))
	str.RawSetString("match", L.NewFunction(vm.strFind(false)))
	str.RawSetString("gmatch", L.NewFunction(vm.strGmatch))
	str.RawSetString("gsub", L.NewFunction(vm.strGsub))
	str.RawSetString("format", L.NewFunction(vm.wrapFormat(str.RawGetString("format").(*lua.LFunction))))
	for _, name := range []string{"upper", "lower"} {
		str.RawSetString(name, L.NewFunction(vm.charged("string."+name, str.RawGetString(name).(*lua.LFunction), 3)))
	}
	str.RawSetString("reverse", L.NewFunction(vm.charged("string.reverse", str.RawGetString("reverse").(*lua.LFunction), 1)))
	if smt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		smt.RawSetString("__index", str)
		smt.RawSetString("__metatable", lua.LString("string"))
	}
	s.RawSetString("string", vm.readOnly(str))

	tbl := copyTable(L, g.RawGetString("table").(*lua.LTable))
	tbl.RawSetString("concat", L.NewFunction(vm.tableConcat))
	s.RawSetString("table", vm.readOnly(tbl))
	s.RawSetString("math", vm.readOnly(copyTable(L, g.RawGetString("math").(*lua.LTable))))

	s.RawSetString("type", L.NewFunction(vm.luaType))
	s.RawSetString("pairs", L.NewFunction(vm.luaPairs))
	s.RawSetString("ipairs", L.NewFunction(vm.luaIpairs))
	s.RawSetString("next", L.NewFunction(vm.luaNext))
	s.RawSetString("tostring", L.NewFunction(vm.luaToString))
	s.RawSetString("getmetatable", L.NewFunction(luaGetMetatable))
	s.RawSetString("rawget", L.NewFunction(vm.luaRawGet))
	s.RawSetString("rawset", L.NewFunction(vm.luaRawSet))
	s.RawSetString("print", L.NewFunction(vm.luaPrint))
	s.RawSetString(concatName, L.NewFunction(vm.luaConcat))

	for name, open := range map[string]func() *lua.LTable{
		"json": vm.openJSON, "re": vm.openRe, "net": vm.openNet, "time": vm.openTime,
		"match": vm.openMatch, "codec": vm.openCodec,
	} {
		s.RawSetString(name, vm.readOnly(open()))
	}
	vm.sandbox = s
	s.ForEach(func(k, v lua.LValue) {
		if name, ok := k.(lua.LString); ok {
			vm.sandboxNames = append(vm.sandboxNames, sandboxName{string(name), v})
		}
	})
	// Nothing reaches the real globals: chunks get their own environments.
	L.G.Global = L.NewTable()
}

func copyTable(L *lua.LState, t *lua.LTable) *lua.LTable {
	c := L.NewTable()
	t.ForEach(func(k, v lua.LValue) { c.RawSet(k, v) })
	return c
}

// readOnly returns an empty proxy table whose reads go to t and whose
// writes fail. pairs/ipairs/next see through it.
func (vm *VM) readOnly(t *lua.LTable) *lua.LTable {
	p := vm.L.NewTable()
	mt := vm.L.NewTable()
	vm.roMT.ForEach(func(k, v lua.LValue) { mt.RawSet(k, v) })
	mt.RawSetString("__index", t)
	p.Metatable = mt
	return p
}

// target returns the table behind a read-only proxy, or t itself.
func (vm *VM) target(t *lua.LTable) *lua.LTable {
	if mt, ok := t.Metatable.(*lua.LTable); ok && mt.RawGetString("__metatable") == lua.LString("read-only") {
		if inner, ok := mt.RawGetString("__index").(*lua.LTable); ok {
			return inner
		}
	}
	return t
}

func (vm *VM) isProxy(ud *lua.LUserData) bool {
	return ud.Metatable == vm.objectMT || ud.Metatable == vm.arrayMT || ud.Metatable == vm.rootMT
}

func (vm *VM) luaType(L *lua.LState) int {
	v := L.CheckAny(1)
	if ud, ok := v.(*lua.LUserData); ok && vm.isProxy(ud) {
		L.Push(lua.LString("table"))
		return 1
	}
	L.Push(lua.LString(v.Type().String()))
	return 1
}

func (vm *VM) luaPairs(L *lua.LState) int {
	switch v := L.CheckAny(1).(type) {
	case *lua.LTable:
		L.Push(L.NewFunction(vm.luaNext))
		L.Push(vm.target(v))
		L.Push(lua.LNil)
		return 3
	case *lua.LUserData:
		if vm.isProxy(v) {
			L.Push(vm.proxyIterator(v, false))
			L.Push(lua.LNil)
			L.Push(lua.LNil)
			return 3
		}
	}
	L.ArgError(1, "table expected, got "+L.Get(1).Type().String())
	return 0
}

func (vm *VM) luaIpairs(L *lua.LState) int {
	switch v := L.CheckAny(1).(type) {
	case *lua.LTable:
		t := vm.target(v)
		i := 0
		L.Push(L.NewFunction(func(L *lua.LState) int {
			i++
			x := t.RawGetInt(i)
			if x == lua.LNil {
				return 0
			}
			L.Push(lua.LNumber(i))
			L.Push(x)
			return 2
		}))
		L.Push(t)
		L.Push(lua.LNumber(0))
		return 3
	case *lua.LUserData:
		if vm.isProxy(v) {
			L.Push(vm.proxyIterator(v, true))
			L.Push(lua.LNil)
			L.Push(lua.LNil)
			return 3
		}
	}
	L.ArgError(1, "table expected, got "+L.Get(1).Type().String())
	return 0
}

func (vm *VM) luaNext(L *lua.LState) int {
	switch v := L.CheckAny(1).(type) {
	case *lua.LTable:
		k, x := vm.target(v).Next(L.Get(2))
		if k == lua.LNil {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(k)
		L.Push(x)
		return 2
	case *lua.LUserData:
		if vm.isProxy(v) {
			return vm.proxyNext(L, v, L.Get(2))
		}
	}
	L.ArgError(1, "table expected, got "+L.Get(1).Type().String())
	return 0
}

func (vm *VM) luaToString(L *lua.LState) int {
	v := L.CheckAny(1)
	if ud, ok := v.(*lua.LUserData); ok && vm.isProxy(ud) {
		L.Push(lua.LString(vm.proxyJSON(ud)))
		return 1
	}
	L.Push(L.ToStringMeta(v))
	return 1
}

// luaGetMetatable honours __metatable, as Lua does and gopher-lua does not.
func luaGetMetatable(L *lua.LState) int {
	mt := L.GetMetatable(L.CheckAny(1))
	if t, ok := mt.(*lua.LTable); ok {
		if p := t.RawGetString("__metatable"); p != lua.LNil {
			L.Push(p)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func (vm *VM) luaRawGet(L *lua.LState) int {
	t := L.CheckTable(1)
	L.Push(vm.target(t).RawGet(L.CheckAny(2)))
	return 1
}

func (vm *VM) luaRawSet(L *lua.LState) int {
	t := L.CheckTable(1)
	if mt, ok := t.Metatable.(*lua.LTable); ok && mt.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("rawset on a protected table")
	}
	L.RawSet(t, L.CheckAny(2), L.CheckAny(3))
	return 0
}

func (vm *VM) luaPrint(L *lua.LState) int {
	if vm.print == nil {
		return 0
	}
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		v := L.Get(i)
		if ud, ok := v.(*lua.LUserData); ok && vm.isProxy(ud) {
			b.WriteString(vm.proxyJSON(ud))
			continue
		}
		b.WriteString(L.ToStringMeta(v).String())
	}
	b.WriteByte('\n')
	fmt.Fprint(vm.print, b.String())
	return 0
}
