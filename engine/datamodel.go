package engine

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"panther/engine/luavm"
	"panther/parsers/event"
)

// modelInstance is a data model loaded in a VM.
type modelInstance struct {
	model   *DataModel
	env     *luavm.Env // nil when the model has no Lua file
	byName  map[string]*Mapping
	methods map[string]*lua.LFunction
}

func (ev *Evaluator) modelInstance(m *DataModel) (*modelInstance, error) {
	if mi, ok := ev.models[m]; ok {
		return mi, nil
	}
	mi := &modelInstance{model: m, byName: map[string]*Mapping{}, methods: map[string]*lua.LFunction{}}
	for i := range m.Mappings {
		mi.byName[m.Mappings[i].Name] = &m.Mappings[i]
	}
	chunk, err := m.lua.compiled()
	if err != nil {
		return nil, fmt.Errorf("data model %s: %w", m.ID, err)
	}
	if chunk != nil {
		env, err := ev.vm.Load(chunk, ev.req)
		if err != nil {
			return nil, fmt.Errorf("data model %s: %w", m.ID, err)
		}
		mi.env = env
		for _, mp := range m.Mappings {
			if mp.Method == "" {
				continue
			}
			f := env.Func(mp.Method)
			if f == nil {
				return nil, fmt.Errorf("data model %s: %s defines no function %s", m.ID, m.LuaFile, mp.Method)
			}
			mi.methods[mp.Name] = f
		}
	}
	ev.models[m] = mi
	return mi, nil
}

// resolveUDM implements event:udm(name) through the data model of the
// event's log type. An unknown name is nil, as in Panther.
func (ev *Evaluator) resolveUDM(vm *luavm.VM, self *lua.LUserData, e *event.Event, name string) (lua.LValue, error) {
	m, ok := ev.set.DataModelFor(e.LogType)
	if !ok {
		return lua.LNil, nil
	}
	mi, err := ev.modelInstance(m)
	if err != nil {
		return lua.LNil, err
	}
	mp, ok := mi.byName[name]
	if !ok {
		return lua.LNil, nil
	}
	if mp.Path != nil {
		if e.Fields == nil {
			return lua.LNil, nil
		}
		return vm.Value(mp.Path.Get(e.Fields)), nil
	}
	return vm.Call(mi.methods[name], self)
}
