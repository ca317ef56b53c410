package engine

import (
	"strings"
	"testing"
)

func TestPackIDsRefused(t *testing.T) {
	for _, id := range []string{"", ".", "..", "a/b", `a\b`, "evil\u202egpj.exe", "zero\u200bwidth", "bell\a", "esc\x1b[31m", "\xff", strings.Repeat("p", 257)} {
		if CheckPackID(id) == nil {
			t.Errorf("%q accepted", id)
		}
		dir := tree(t, with(map[string]string{"packs/p.yml": "AnalysisType: pack\nPackID: \"" + strings.NewReplacer("\\", "\\\\", "\"", "\\\"", "\a", "\\a", "\x1b", "\\e", "\u202e", "\\u202e", "\u200b", "\\u200b", "\xff", "").Replace(id) + "\"\nPackDefinition:\n  IDs: [Good.Rule]\n"}))
		set := load(t, dir)
		if len(set.Packs) != 0 && id != "\xff" {
			t.Errorf("%q: the pack loaded", id)
		}
		for _, d := range set.Diagnostics {
			if strings.ContainsAny(d.Message, "\u202e\u200b\a\x1b") {
				t.Errorf("%q: printed raw: %s", id, d.Message)
			}
		}
	}
	for _, id := range []string{"P", "AWS Core", "aws.core-v2", "Paquet Éte", "日本語"} {
		if err := CheckPackID(id); err != nil {
			t.Errorf("%q refused: %v", id, err)
		}
	}
}
