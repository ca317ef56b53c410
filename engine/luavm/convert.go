package luavm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/valyala/fastjson"
	lua "github.com/yuin/gopher-lua"

	"panther/parsers/event"
)

// maxDepth bounds nesting in conversions (and cycles).
const maxDepth = 64

// ToJSON appends the JSON of a Lua value: tables with keys 1..n become
// arrays (an empty table becomes {}), other tables objects with string
// keys; event proxies their JSON. Functions, userdata and non-finite
// numbers are errors, so a rule's alert_context is always plain data.
func (vm *VM) ToJSON(dst []byte, v lua.LValue) ([]byte, error) {
	return vm.toJSON(dst, v, 0)
}

func (vm *VM) toJSON(dst []byte, v lua.LValue, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, errors.New("nested more than 64 levels (a cycle?)")
	}
	switch x := v.(type) {
	case *lua.LNilType:
		return append(dst, "null"...), nil
	case lua.LBool:
		return strconv.AppendBool(dst, bool(x)), nil
	case lua.LNumber:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return dst, fmt.Errorf("number %v has no JSON form", f)
		}
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.AppendInt(dst, int64(f), 10), nil
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64), nil
	case lua.LString:
		return event.AppendString(dst, string(x)), nil
	case *lua.LUserData:
		switch p := x.Value.(type) {
		case *rootProxy:
			return p.ev.AppendJSON(dst), nil
		case *fastjson.Value:
			return event.AppendValue(dst, p), nil
		}
		return dst, errors.New("userdata has no JSON form")
	case *lua.LTable:
		t := vm.target(x)
		if n := arrayLen(t); n > 0 {
			dst = append(dst, '[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					dst = append(dst, ',')
				}
				var err error
				if dst, err = vm.toJSON(dst, t.RawGetInt(i), depth+1); err != nil {
					return dst, err
				}
			}
			return append(dst, ']'), nil
		}
		type kv struct {
			k string
			v lua.LValue
		}
		var kvs []kv
		var bad error
		t.ForEach(func(k, v lua.LValue) {
			switch kk := k.(type) {
			case lua.LString:
				kvs = append(kvs, kv{string(kk), v})
			case lua.LNumber:
				kvs = append(kvs, kv{strconv.FormatFloat(float64(kk), 'f', -1, 64), v})
			default:
				bad = fmt.Errorf("table key of type %s has no JSON form", k.Type())
			}
		})
		if bad != nil {
			return dst, bad
		}
		// Sorted keys: the same table gives the same bytes.
		sort.Slice(kvs, func(i, j int) bool { return kvs[i].k < kvs[j].k })
		dst = append(dst, '{')
		for i, e := range kvs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = event.AppendString(dst, e.k)
			dst = append(dst, ':')
			var err error
			if dst, err = vm.toJSON(dst, e.v, depth+1); err != nil {
				return dst, fmt.Errorf("%s: %w", e.k, err)
			}
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("a %s has no JSON form", v.Type())
}

// arrayLen returns n when t's keys are exactly 1..n, else 0.
func arrayLen(t *lua.LTable) int {
	n := t.Len()
	if n == 0 {
		return 0
	}
	count := 0
	t.ForEach(func(_, _ lua.LValue) { count++ })
	if count != n {
		return 0
	}
	return n
}

// FromGo converts YAML/JSON-decoded Go values (nil, bool, numbers, string,
// []any, map[string]any) to fresh Lua values.
func (vm *VM) FromGo(v any) lua.LValue {
	L := vm.L
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case uint64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		t := L.CreateTable(len(x), 0)
		for _, e := range x {
			t.Append(vm.FromGo(e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			t.RawSetString(k, vm.FromGo(x[k]))
		}
		return t
	}
	return lua.LString(fmt.Sprint(v))
}

// fromJSON converts a parsed JSON value to fresh Lua tables (json.decode).
func (vm *VM) fromJSON(v *fastjson.Value) lua.LValue {
	L := vm.L
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		t := L.CreateTable(0, o.Len())
		o.Visit(func(k []byte, x *fastjson.Value) {
			t.RawSetString(string(k), vm.fromJSON(x))
		})
		return t
	case fastjson.TypeArray:
		a, _ := v.Array()
		t := L.CreateTable(len(a), 0)
		for _, x := range a {
			t.Append(vm.fromJSON(x))
		}
		return t
	}
	return vm.value(v)
}
