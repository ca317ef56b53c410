package refdocs

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"panther/engine/luavm"
	"panther/parsers/logtypes"
	"panther/schema"
)

func TestCLI(t *testing.T) {
	root := &cobra.Command{Use: "tool", Short: "A tool"}
	root.PersistentFlags().String("config", "", "config `FILE`")
	run := func(*cobra.Command, []string) error { return nil }
	a := &cobra.Command{Use: "alpha X", Short: "Does alpha | beta", Long: "Long text.", Example: "  tool alpha 1", RunE: run}
	a.Flags().IntP("count", "n", 3, "how many")
	a.Flags().Bool("secret", false, "hidden")
	_ = a.Flags().MarkHidden("secret")
	h := &cobra.Command{Use: "hidden", Short: "not shown", Hidden: true, RunE: run}
	root.AddCommand(a, h)
	got := string(CLI(root))
	for _, want := range []string{
		"| [`tool alpha`](#tool-alpha) | Does alpha \\| beta |",
		"| `--config FILE` |  | config FILE |",
		"## tool alpha\n",
		"```\ntool alpha X [flags]\n```",
		"| `-n, --count int` | `3` | how many |",
		"```sh\ntool alpha 1\n```",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	for _, not := range []string{"secret", "hidden"} {
		if strings.Contains(got, not) {
			t.Errorf("%q shown:\n%s", not, got)
		}
	}
}

func TestSpecs(t *testing.T) {
	kinds := []schema.Kind{{Name: "thing", Title: "Thing", Doc: "A thing.", Required: []string{"ID"}, Keys: []schema.Key{
		{Name: "ID", Type: schema.String, Doc: "Its ID"},
		{Name: "Level", Type: schema.String, Enum: []string{"a", "b"}},
		{Name: "Tests", Type: schema.Array, Items: &schema.Key{Type: schema.Object, Required: []string{"Name"},
			Keys: []schema.Key{{Name: "Name", Type: schema.String}}}},
	}}}
	got := string(Specs(kinds))
	for _, want := range []string{
		"| `ID` | string | yes | Its ID |",
		"| `Level` | string |  | One of `a`, `b`. |",
		"| `Tests` | list of mapping |  |  |",
		"| `Tests[].Name` | string | yes |  |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}

func TestLuaAndLogTypes(t *testing.T) {
	lua := string(Lua(luavm.ModuleDocs, luavm.EventDocs))
	for _, m := range luavm.ModuleDocs {
		for _, f := range m.Funcs {
			if !strings.Contains(lua, "| `"+f.Call+"` |") {
				t.Errorf("lua.md lacks %s", f.Call)
			}
		}
	}
	reg := logtypes.Default()
	lt := string(LogTypes(reg))
	for _, typ := range reg.All() {
		if !strings.Contains(lt, "\n## "+typ.Name+"\n") {
			t.Errorf("log-types.md lacks %s", typ.Name)
		}
	}
	if !strings.Contains(lt, "| `eventName` | `string` |") {
		t.Error("log-types.md lacks CloudTrail's eventName column")
	}
}
