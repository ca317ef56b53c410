package query

import (
	"slices"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string // keywords
	}{
		{"SELECT 1", []string{"SELECT"}},
		{"select 1;", []string{"SELECT"}},
		{"  -- c\n/* c; */ select ';' ; ", []string{"SELECT"}},
		{"select 1; copy x to 'y'", []string{"SELECT", "COPY"}},
		{`select "a;b" from t; attach 'x'`, []string{"SELECT", "ATTACH"}},
		{"select $$a;b$$; install httpfs", []string{"SELECT", "INSTALL"}},
		{"select $t$ ; $t$", []string{"SELECT"}},
		{"select E'it\\'s;' ; load x", []string{"SELECT", "LOAD"}},
		{"select 'it''s;'", []string{"SELECT"}},
		{"/* /* nested; */ still; */ pragma x", []string{"PRAGMA"}},
		{"(select 1)", []string{"("}},
		{";;", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range splitStatements(tt.in) {
			got = append(got, s.keyword)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitStatements(%q) keywords = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimAndStrip(t *testing.T) {
	t.Parallel()
	if got := trimStatement("select 1 ; -- done\n ;"); got != "select 1" {
		t.Errorf("trimStatement = %q", got)
	}
	if got := trimStatement("select 1 -- inner\nfrom t"); got != "select 1 -- inner\nfrom t" {
		t.Errorf("trimStatement kept %q", got)
	}
	rest, ok := stripWord(" /* x */ explain analyze select 1", "EXPLAIN")
	if !ok || rest != " analyze select 1" {
		t.Errorf("stripWord = %q, %v", rest, ok)
	}
	if _, ok := stripWord("explained", "EXPLAIN"); ok {
		t.Error("stripWord matched a longer word")
	}
}
