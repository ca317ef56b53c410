package format_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"panther/engine"
	"panther/format"
	"panther/parsers/logtypes"
)

func order() format.Order {
	return format.SchemaOrder(engine.Schemas(engine.SchemaOptions{LogTypes: logtypes.Default().Names()}))
}

func TestYAML(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"keys in schema order, comments with their key",
			"RuleID: X\n# the type\nAnalysisType: rule\nSeverity: High\n\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\n",
			"# the type\nAnalysisType: rule\nRuleID: X\nFilename: x.lua\nLogTypes: [AWS.CloudTrail]\nSeverity: High\n"},
		{"test items: the dash moves to the new first key",
			"AnalysisType: rule\nTests:\n  - ExpectedResult: true\n    Name: a\n    Log: {a: 1}\n  - Name: b\n    Log:\n      x: 1\n    ExpectedResult: false\n",
			"AnalysisType: rule\nTests:\n  - Name: a\n    ExpectedResult: true\n    Log: {a: 1}\n  - Name: b\n    ExpectedResult: false\n    Log:\n      x: 1\n"},
		{"event keys stay as written",
			"AnalysisType: rule\nTests:\n  - Name: a\n    ExpectedResult: true\n    Log:\n      z: 1\n      a: 2\n",
			"AnalysisType: rule\nTests:\n  - Name: a\n    ExpectedResult: true\n    Log:\n      z: 1\n      a: 2\n"},
		{"single quotes become double where no escape is needed",
			"AnalysisType: global\nGlobalID: 'a'\nTags: ['x y', 'it''s']\nDescription: 'a\"b'\n",
			"AnalysisType: global\nGlobalID: \"a\"\nDescription: 'a\"b'\nTags: [\"x y\", \"it's\"]\n"},
		{"a line with quotes that must stay single stays uniform",
			"AnalysisType: global\nTags: ['x', 'c\\d']\n",
			"AnalysisType: global\nTags: ['x', 'c\\d']\n"},
		{"spacing: CRLF, trailing spaces, blank runs, final newline",
			"\r\n\r\nAnalysisType: global  \r\n\r\n\r\n\r\nGlobalID: a\r\n\r\n",
			"AnalysisType: global\n\nGlobalID: a\n"},
		{"block scalars kept",
			"Description: |\n  line one\n\n  line three\nAnalysisType: global\nGlobalID: a\n",
			"AnalysisType: global\nGlobalID: a\nDescription: |\n  line one\n\n  line three\n"},
		{"unknown keys go last, in their order",
			"Zed: 1\nAnalysisType: global\nAlpha: 2\nGlobalID: a\n",
			"AnalysisType: global\nGlobalID: a\nZed: 1\nAlpha: 2\n"},
		{"an alias before its anchor is not made: keys left in place",
			"DisplayName: &n x\nAnalysisType: pack\nPackID: *n\n",
			"DisplayName: &n x\nAnalysisType: pack\nPackID: *n\n"},
		{"reports keep their frameworks' order",
			"AnalysisType: rule\nReports:\n  CIS: [\"1.1\"]\n  MITRE ATT&CK: [\"TA0001\"]\n",
			"AnalysisType: rule\nReports:\n  CIS: [\"1.1\"]\n  MITRE ATT&CK: [\"TA0001\"]\n"},
	}
	o := order()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := format.YAML([]byte(c.in), o)
			if err != nil && !strings.Contains(c.name, "left in place") {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			again, _ := format.YAML(got, o)
			if !bytes.Equal(again, got) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
	if _, err := format.YAML([]byte("jobs: {}\n"), o); err != format.ErrNotSpec {
		t.Errorf("a CI file: %v", err)
	}
}

func TestLua(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"blocks", "function rule(e)\nif e.a then\nreturn true\nelseif e.b then\n      return false\nelse\nfor i = 1, 2 do x() end\nend\nend\n",
			"function rule(e)\n  if e.a then\n    return true\n  elseif e.b then\n    return false\n  else\n    for i = 1, 2 do x() end\n  end\nend\n"},
		{"continuations keep their offset", "function rule(e)\n    return e.a == 1\n        and e.b == 2\nend\n",
			"function rule(e)\n  return e.a == 1\n      and e.b == 2\nend\n"},
		{"tables", "local t = {\na = 1,\n  b = {\n c = 2,\n},\n}\n",
			"local t = {\n  a = 1,\n  b = {\n    c = 2,\n  },\n}\n"},
		{"hanging call keeps its alignment", "local x = f(a,\n             b)\nlocal y = 1\n",
			"local x = f(a,\n             b)\nlocal y = 1\n"},
		{"long strings and comments untouched", "local s = [[\n   keep  \n]]\n--[==[\n  also  \n]==]\n  local z = 1   \n",
			"local s = [[\n   keep  \n]]\n--[==[\n  also  \n]==]\nlocal z = 1\n"},
		{"strings with keywords", "local s = \"end function do\"\n  local t = 'then'\n",
			"local s = \"end function do\"\nlocal t = 'then'\n"},
		{"repeat until, comments at the level", "repeat\n-- note\nx()\nuntil done\n\n\n\n",
			"repeat\n  -- note\n  x()\nuntil done\n"},
		{"return list continued after a comma", "function f()\n  return a,\n    b\nend\n",
			"function f()\n  return a,\n    b\nend\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := format.Lua([]byte(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			again, _ := format.Lua(got)
			if !bytes.Equal(again, got) {
				t.Errorf("not idempotent:\n%s", again)
			}
		})
	}
	if _, err := format.Lua([]byte("local s = \"open\n")); err == nil {
		t.Error("an unfinished string formats")
	}
}

// TestShippedClean: the shipped library is in canonical form (what
// panther fmt --check checks in CI), and formatting is idempotent on it.
func TestShippedClean(t *testing.T) {
	t.Parallel()
	o := order()
	n := 0
	for _, dir := range []string{"../detections", "../packs", "../cmd/initrepo", "../parsers/logtypes/declared"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var got []byte
			switch filepath.Ext(p) {
			case ".yml":
				got, err = format.YAML(data, o)
				if err == format.ErrNotSpec {
					return nil
				}
			case ".lua":
				got, err = format.Lua(data)
			default:
				return nil
			}
			n++
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("%s is not formatted (panther fmt %s)", p, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 600 {
		t.Errorf("only %d files checked", n)
	}
}

func FuzzLua(f *testing.F) {
	for _, s := range []string{"function rule(e)\nreturn e.a\nend\n", "local t = {\n[1] = [[x]],\n}\n", "x = 1 --[[ c\n]] y = 2\n", "a = b\n  .. c\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := format.Lua(src)
		if err != nil {
			return
		}
		again, err := format.Lua(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("not idempotent: %q -> %q -> %q (%v)", src, out, again, err)
		}
	})
}

func FuzzYAML(f *testing.F) {
	o := order()
	for _, s := range []string{"Severity: High\nAnalysisType: rule\n", "AnalysisType: rule\nTests:\n  - ExpectedResult: true\n    Name: a\n", "AnalysisType: global\nGlobalID: 'x'\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := format.YAML(src, o)
		if err != nil {
			return
		}
		again, err := format.YAML(out, o)
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("not idempotent: %q -> %q -> %q (%v)", src, out, again, err)
		}
	})
}
