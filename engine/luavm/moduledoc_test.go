package luavm

import (
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The reference documents exactly the functions the sandbox opens.
func TestModuleDocs(t *testing.T) {
	vm := New(Options{})
	defer vm.Close()
	open := map[string]func() *lua.LTable{"json": vm.openJSON, "re": vm.openRe, "net": vm.openNet, "time": vm.openTime,
		"match": vm.openMatch, "codec": vm.openCodec}
	documented := map[string]bool{}
	for _, m := range ModuleDocs {
		documented[m.Name] = true
		f, ok := open[m.Name]
		if !ok {
			t.Errorf("module %s is documented but not opened", m.Name)
			continue
		}
		var have, docs []string
		f().ForEach(func(k, _ lua.LValue) { have = append(have, k.String()) })
		for _, fd := range m.Funcs {
			docs = append(docs, fd.Name)
			if !strings.HasPrefix(fd.Call, m.Name+"."+fd.Name+"(") || fd.Doc == "" || fd.Returns == "" {
				t.Errorf("%s.%s: call %q, returns %q, doc %q", m.Name, fd.Name, fd.Call, fd.Returns, fd.Doc)
			}
		}
		slices.Sort(have)
		slices.Sort(docs)
		if !slices.Equal(have, docs) {
			t.Errorf("module %s opens %v, the reference documents %v", m.Name, have, docs)
		}
	}
	// Every module global of the sandbox (a table other than Lua's own
	// libraries) is documented.
	for _, n := range vm.sandboxNames {
		if _, isTable := n.val.(*lua.LTable); !isTable || n.name == "_G" {
			continue
		}
		if !documented[n.name] && !slices.Contains([]string{"string", "table", "math"}, n.name) {
			t.Errorf("the sandbox has module %s, which the reference does not document", n.name)
		}
	}
	for _, fd := range EventDocs {
		if !strings.HasPrefix(fd.Call, "event:"+fd.Name+"(") {
			t.Errorf("event doc %q", fd.Call)
		}
	}
}
