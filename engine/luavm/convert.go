package luavm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

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
// The JSON is at most MaxString bytes.
func (vm *VM) ToJSON(dst []byte, v lua.LValue) ([]byte, error) {
	return vm.ToJSONLimit(dst, v, MaxString)
}

// ErrTooLarge is the error of a conversion that would pass its limit.
var ErrTooLarge = errors.New("too large")

// ToJSONLimit is ToJSON with a limit on the bytes it appends: past it, it
// stops and returns an error wrapping ErrTooLarge, so converting a huge
// table costs about the limit, not the table.
func (vm *VM) ToJSONLimit(dst []byte, v lua.LValue, limit int) ([]byte, error) {
	enc := jsonEnc{vm: vm, limit: len(dst) + limit}
	out, err := enc.encode(dst, v, 0)
	if err == nil && len(out) > enc.limit {
		err = enc.tooLarge()
	}
	return out, err
}

type jsonEnc struct {
	vm    *VM
	limit int
	nodes int
}

func (enc *jsonEnc) tooLarge() error {
	return fmt.Errorf("result over the %d byte limit: %w", enc.limit, ErrTooLarge)
}

func (enc *jsonEnc) encode(dst []byte, v lua.LValue, depth int) ([]byte, error) {
	vm := enc.vm
	if depth > maxDepth {
		return dst, errors.New("nested more than 64 levels (a cycle?)")
	}
	if len(dst) > enc.limit {
		return dst, enc.tooLarge()
	}
	if enc.nodes++; enc.nodes%checkEvery == 0 && vm.spent() {
		return dst, vm.guard.ctx.Load().Err()
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
		if n := len(dst) + len(x) + 2; n > cap(dst) {
			// Grow by doubling, not by append's quarter steps: a large
			// result then costs twice its size, not five times.
			if n > enc.limit {
				return dst, enc.tooLarge()
			}
			grown := make([]byte, len(dst), max(2*cap(dst), n))
			copy(grown, dst)
			dst = grown
		}
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
				if dst, err = enc.encode(dst, t.RawGetInt(i), depth+1); err != nil {
					return dst, err
				}
			}
			return append(dst, ']'), nil
		}
		var buf [8]jsonKV // most alert contexts: no allocation for the list
		kvs := buf[:0]
		var bad error
		room := (enc.limit - len(dst)) / 4 // each entry takes at least "k":0,
		t.ForEach(func(k, v lua.LValue) {
			if len(kvs) > room {
				bad = enc.tooLarge()
				return
			}
			switch kk := k.(type) {
			case lua.LString:
				kvs = append(kvs, jsonKV{string(kk), v})
			case lua.LNumber:
				kvs = append(kvs, jsonKV{strconv.FormatFloat(float64(kk), 'f', -1, 64), v})
			default:
				bad = fmt.Errorf("table key of type %s has no JSON form", k.Type())
			}
		})
		if bad != nil {
			return dst, bad
		}
		// Sorted keys: the same table gives the same bytes.
		slices.SortFunc(kvs, func(a, b jsonKV) int { return strings.Compare(a.k, b.k) })
		dst = append(dst, '{')
		for i, e := range kvs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = event.AppendString(dst, e.k)
			dst = append(dst, ':')
			var err error
			if dst, err = enc.encode(dst, e.v, depth+1); err != nil {
				return dst, fmt.Errorf("%s: %w", e.k, err)
			}
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("a %s has no JSON form", v.Type())
}

// jsonKV is an entry of a table being encoded as an object.
type jsonKV struct {
	k string
	v lua.LValue
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

// fromJSON converts a parsed JSON value to fresh Lua tables (json.decode),
// charging each table entry to the call and checking its budget.
func (vm *VM) fromJSON(L *lua.LState, v *fastjson.Value, st *stepper) lua.LValue {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		vm.charge(L, "json.decode", int64(o.Len())*tableEntryCost)
		t := L.CreateTable(0, o.Len())
		o.Visit(func(k []byte, x *fastjson.Value) {
			st.step(1)
			t.RawSetString(string(k), vm.fromJSON(L, x, st))
		})
		return t
	case fastjson.TypeArray:
		a, _ := v.Array()
		vm.charge(L, "json.decode", int64(len(a))*tableEntryCost)
		t := L.CreateTable(len(a), 0)
		for _, x := range a {
			st.step(1)
			t.Append(vm.fromJSON(L, x, st))
		}
		return t
	}
	return vm.value(v)
}
