package luavm

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
	lua "github.com/yuin/gopher-lua"

	"panther/parsers/event"
)

// UDM resolves event:udm(name) for an event: the engine's data models.
type UDM func(vm *VM, self *lua.LUserData, e *event.Event, name string) (lua.LValue, error)

type rootProxy struct {
	ev  *event.Event
	udm UDM
	// cache holds the top-level fields read so far: the rules of one log
	// type read the same few fields (eventName, eventSource...), and each
	// read would otherwise search the object, copy the string and box it.
	cache []cached
}

type cached struct {
	key string
	val lua.LValue
}

const maxCached = 16

// NewEvent wraps e as the read-only event a detection receives. The proxy
// reads e lazily: e must stay alive (not Released) while Lua may use it.
func (vm *VM) NewEvent(e *event.Event, udm UDM) *lua.LUserData {
	vm.resetMemo()
	if vm.scans != nil {
		vm.scans.newEvent(e)
	}
	ud := vm.L.NewUserData()
	ud.Value = &rootProxy{ev: e, udm: udm}
	ud.Metatable = vm.rootMT
	return ud
}

func (vm *VM) buildProxyMetatables() {
	L := vm.L
	readOnly := L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("the event is read-only (assignment to %q); copy values into a local table instead", L.Get(2).String())
		return 0
	})
	length := L.NewFunction(func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		if v, ok := ud.Value.(*fastjson.Value); ok && v.Type() == fastjson.TypeArray {
			a, _ := v.Array()
			L.Push(lua.LNumber(len(a)))
			return 1
		}
		L.Push(lua.LNumber(0))
		return 1
	})
	eq := L.NewFunction(func(L *lua.LState) int {
		a, b := L.CheckUserData(1), L.CheckUserData(2)
		L.Push(lua.LBool(proxyTarget(a) == proxyTarget(b)))
		return 1
	})
	tostr := L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(vm.proxyJSON(L.CheckUserData(1))))
		return 1
	})
	get := L.NewFunction(vm.proxyGet)
	udm := L.NewFunction(vm.proxyUDM)
	mk := func(index lua.LGFunction) *lua.LTable {
		mt := L.NewTable()
		mt.RawSetString("__index", L.NewFunction(index))
		mt.RawSetString("__newindex", readOnly)
		mt.RawSetString("__len", length)
		mt.RawSetString("__eq", eq)
		mt.RawSetString("__tostring", tostr)
		mt.RawSetString("__metatable", lua.LString("read-only event"))
		return mt
	}
	vm.objectMT = mk(func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		key := L.Get(2)
		if k, ok := key.(lua.LString); ok {
			if k == "get" || k == "deep_get" {
				L.Push(get)
				return 1
			}
			o, _ := ud.Value.(*fastjson.Value).Object()
			L.Push(vm.value(o.Get(string(k))))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	})
	vm.arrayMT = mk(func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		switch k := L.Get(2).(type) {
		case lua.LNumber:
			L.Push(vm.index(ud.Value.(*fastjson.Value), int(k)))
			return 1
		case lua.LString:
			if k == "get" || k == "deep_get" {
				L.Push(get)
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	})
	vm.rootMT = mk(func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		k, ok := L.Get(2).(lua.LString)
		if !ok {
			L.Push(lua.LNil)
			return 1
		}
		switch k {
		case "get", "deep_get":
			L.Push(get)
			return 1
		case "udm":
			L.Push(udm)
			return 1
		}
		r := ud.Value.(*rootProxy)
		for i := range r.cache {
			if r.cache[i].key == string(k) {
				L.Push(r.cache[i].val)
				return 1
			}
		}
		v := vm.rootField(r.ev, string(k))
		if len(r.cache) < maxCached {
			if _, isTable := v.(*lua.LTable); !isTable { // p_any lists are fresh copies each time
				r.cache = append(r.cache, cached{string(k), v})
			}
		}
		L.Push(v)
		return 1
	})
}

func proxyTarget(ud *lua.LUserData) any {
	if r, ok := ud.Value.(*rootProxy); ok {
		return r.ev
	}
	return ud.Value
}

// rootField reads a top-level field: source fields first, then the
// standard p_ fields the event carries outside its JSON.
func (vm *VM) rootField(e *event.Event, k string) lua.LValue {
	if e.Fields != nil {
		o, _ := e.Fields.Object()
		if v := o.Get(k); v != nil {
			return vm.value(v)
		}
	}
	if strings.HasPrefix(k, "p_") {
		s, list, ok := e.Meta(k)
		if !ok {
			return lua.LNil
		}
		if list != nil {
			t := vm.L.CreateTable(len(list), 0)
			for _, x := range list {
				// Indicators may share the event's buffers: Lua gets
				// copies, which may outlive the event.
				t.Append(lua.LString(strings.Clone(x)))
			}
			return t
		}
		return lua.LString(s)
	}
	return lua.LNil
}

// value converts one JSON value: scalars to Lua values, objects and arrays
// to proxies.
func (vm *VM) value(v *fastjson.Value) lua.LValue {
	if v == nil {
		return lua.LNil
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return lua.LString(b)
	case fastjson.TypeNumber:
		f, err := v.Float64()
		if err != nil {
			return lua.LNil
		}
		return lua.LNumber(f)
	case fastjson.TypeTrue:
		return lua.LTrue
	case fastjson.TypeFalse:
		return lua.LFalse
	case fastjson.TypeObject:
		ud := vm.L.NewUserData()
		ud.Value = v
		ud.Metatable = vm.objectMT
		return ud
	case fastjson.TypeArray:
		ud := vm.L.NewUserData()
		ud.Value = v
		ud.Metatable = vm.arrayMT
		return ud
	}
	return lua.LNil
}

// index reads a 1-based array element.
func (vm *VM) index(v *fastjson.Value, i int) lua.LValue {
	a, _ := v.Array()
	if i < 1 || i > len(a) {
		return lua.LNil
	}
	return vm.value(a[i-1])
}

// proxyGet is event:get(k1, k2, ...): a nil-safe deep get. String keys
// index objects, numbers index arrays (1-based).
func (vm *VM) proxyGet(L *lua.LState) int {
	ud := L.CheckUserData(1)
	var cur lua.LValue = ud
	for i := 2; i <= L.GetTop(); i++ {
		key := L.Get(i)
		switch c := cur.(type) {
		case *lua.LUserData:
			switch x := c.Value.(type) {
			case *rootProxy:
				k, ok := key.(lua.LString)
				if !ok {
					cur = lua.LNil
					break
				}
				cur = vm.rootField(x.ev, string(k))
			case *fastjson.Value:
				cur = vm.step(x, key)
			default:
				cur = lua.LNil
			}
		case *lua.LTable:
			cur = c.RawGet(key)
		default:
			cur = lua.LNil
		}
		if cur == lua.LNil {
			break
		}
	}
	L.Push(cur)
	return 1
}

func (vm *VM) step(v *fastjson.Value, key lua.LValue) lua.LValue {
	switch v.Type() {
	case fastjson.TypeObject:
		var k string
		switch kk := key.(type) {
		case lua.LString:
			k = string(kk)
		case lua.LNumber:
			k = strconv.FormatFloat(float64(kk), 'f', -1, 64)
		default:
			return lua.LNil
		}
		o, _ := v.Object()
		return vm.value(o.Get(k))
	case fastjson.TypeArray:
		n, ok := key.(lua.LNumber)
		if !ok {
			return lua.LNil
		}
		return vm.index(v, int(n))
	}
	return lua.LNil
}

func (vm *VM) proxyUDM(L *lua.LState) int {
	ud := L.CheckUserData(1)
	name := L.CheckString(2)
	r, ok := ud.Value.(*rootProxy)
	if !ok {
		L.RaiseError("udm is a method of the event")
	}
	if r.udm == nil {
		L.Push(lua.LNil)
		return 1
	}
	v, err := r.udm(vm, ud, r.ev, name)
	if err != nil {
		L.RaiseError("udm(%q): %s", name, err.Error())
	}
	L.Push(v)
	return 1
}

// proxyIterator returns the iterator function of pairs/ipairs over a proxy.
func (vm *VM) proxyIterator(ud *lua.LUserData, array bool) *lua.LFunction {
	L := vm.L
	switch x := ud.Value.(type) {
	case *fastjson.Value:
		if x.Type() == fastjson.TypeArray {
			a, _ := x.Array()
			i := 0
			return L.NewFunction(func(L *lua.LState) int {
				if i >= len(a) {
					return 0
				}
				i++
				L.Push(lua.LNumber(i))
				L.Push(vm.value(a[i-1]))
				return 2
			})
		}
		if array {
			return L.NewFunction(func(*lua.LState) int { return 0 })
		}
		keys, vals := objectEntries(x)
		i := 0
		return L.NewFunction(func(L *lua.LState) int {
			if i >= len(keys) {
				return 0
			}
			i++
			L.Push(lua.LString(keys[i-1]))
			L.Push(vm.value(vals[i-1]))
			return 2
		})
	case *rootProxy:
		if array {
			return L.NewFunction(func(*lua.LState) int { return 0 })
		}
		keys := rootKeys(x.ev)
		i := 0
		return L.NewFunction(func(L *lua.LState) int {
			if i >= len(keys) {
				return 0
			}
			i++
			L.Push(lua.LString(keys[i-1]))
			L.Push(vm.rootField(x.ev, keys[i-1]))
			return 2
		})
	}
	return L.NewFunction(func(*lua.LState) int { return 0 })
}

func objectEntries(v *fastjson.Value) ([]string, []*fastjson.Value) {
	o, _ := v.Object()
	keys := make([]string, 0, o.Len())
	vals := make([]*fastjson.Value, 0, o.Len())
	o.Visit(func(k []byte, x *fastjson.Value) {
		keys = append(keys, string(k))
		vals = append(vals, x)
	})
	return keys, vals
}

func rootKeys(e *event.Event) []string {
	var keys []string
	seen := map[string]bool{}
	if e.Fields != nil {
		o, _ := e.Fields.Object()
		o.Visit(func(k []byte, _ *fastjson.Value) {
			keys = append(keys, string(k))
			seen[string(k)] = true
		})
	}
	names := []string{event.FieldLogType, event.FieldEventTime, event.FieldParseTime, event.FieldRowID, event.FieldSourceFile, event.FieldSourceLabel}
	for k := event.Kind(0); k < event.NumKinds; k++ {
		names = append(names, k.Field())
	}
	for _, n := range names {
		if _, _, ok := e.Meta(n); ok && !seen[n] {
			keys = append(keys, n)
		}
	}
	return keys
}

// proxyNext implements next() over a proxy (slow: pairs is the fast way).
func (vm *VM) proxyNext(L *lua.LState, ud *lua.LUserData, key lua.LValue) int {
	var keys []string
	get := func(k string) lua.LValue { return lua.LNil }
	switch x := ud.Value.(type) {
	case *fastjson.Value:
		if x.Type() == fastjson.TypeArray {
			a, _ := x.Array()
			i := 0
			if n, ok := key.(lua.LNumber); ok {
				i = int(n)
			}
			if i >= len(a) {
				L.Push(lua.LNil)
				return 1
			}
			L.Push(lua.LNumber(i + 1))
			L.Push(vm.value(a[i]))
			return 2
		}
		var vals []*fastjson.Value
		keys, vals = objectEntries(x)
		get = func(k string) lua.LValue {
			for i := range keys {
				if keys[i] == k {
					return vm.value(vals[i])
				}
			}
			return lua.LNil
		}
	case *rootProxy:
		keys = rootKeys(x.ev)
		get = func(k string) lua.LValue { return vm.rootField(x.ev, k) }
	}
	next := 0
	if key != lua.LNil {
		next = len(keys)
		for i, k := range keys {
			if lua.LString(k) == key {
				next = i + 1
				break
			}
		}
	}
	if next >= len(keys) {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(keys[next]))
	L.Push(get(keys[next]))
	return 2
}

// proxyJSON is the JSON text of a proxy.
func (vm *VM) proxyJSON(ud *lua.LUserData) string {
	switch x := ud.Value.(type) {
	case *rootProxy:
		return string(x.ev.AppendJSON(nil))
	case *fastjson.Value:
		return string(event.AppendValue(nil, x))
	}
	return "null"
}

// Value converts a JSON value of an event the way field reads do.
func (vm *VM) Value(v *fastjson.Value) lua.LValue { return vm.value(v) }
