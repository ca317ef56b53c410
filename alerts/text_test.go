package alerts

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestWords(t *testing.T) {
	for in, want := range map[string]string{
		"Root login from 198.51.100.7": "root,login,from,198.51.100.7",
		"R1\x1f17":                     "r1,17",
		"disk /var 93% full":           "disk,var,93,full",
		"café_Ünïcode":                 "caf\u00e9_\u00dcn\u00efcode", // bytes ≥ 128 are word bytes, not folded
		"arn:aws:s3:::b-1/key.txt":     "arn,aws,s3,b-1,key.txt",
		"--":                           "--",
		"(!)":                          "",
	} {
		got := fmt.Sprint(words(in))
		if w := fmt.Sprint(splitComma(want)); got != w {
			t.Errorf("%q: %s, want %s", in, got, w)
		}
	}
	if m := parseText(`bastion 198.51.100.7`).match(); m != `"bastion*" "198.51.100.7*"` {
		t.Fatal(m)
	}
	// The index cuts text as words does.
	s, _ := openTest(t, Options{})
	text := "Host-3_a @x 198.51.100.4 arn:aws:s3:::b/k\x1fcaf\u00e9 a'b \"q\" (p) [z]{y}; u=v+w,t!"
	if _, err := s.wdb.Exec(`INSERT INTO alerts_text (docid, title, node, rule_id, dedup_key) VALUES (1, ?, '', '', '')`, text); err != nil {
		t.Fatal(err)
	}
	ws := words(text)
	for _, w := range ws {
		var n int
		if err := s.rdb.QueryRow(`SELECT count(*) FROM alerts_text WHERE alerts_text MATCH ?`, `"`+w+`"`).Scan(&n); err != nil || n != 1 {
			t.Errorf("word %q: %d %v", w, n, err)
		}
	}
	if len(ws) != 19 {
		t.Errorf("%d words: %q", len(ws), ws)
	}
}

func splitComma(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// TestTextPlansAgree: the full-text index and the walk that matches in
// Go give the same pages, for words rare and common, phrases, prefixes
// and other filters; the index follows titles and keys that change.
func TestTextPlansAgree(t *testing.T) {
	s, _ := openTest(t, Options{})
	for i := range 120 {
		d := DetectionAlert{RuleID: fmt.Sprintf("Rule.%d", i%4), Dedup: fmt.Sprintf("host-%d-%d", i%7, i),
			Title: fmt.Sprintf("Login by user%d from 198.51.100.%d on bastion-%d", i, i%13, i%2), Severity: Severity(i % 5),
			FirstEvent: t0.Add(time.Duration(i) * time.Minute)}
		mustRaise(t, s, d)
	}
	for i := range 40 {
		if _, err := s.RaiseEvent(ctx, ConsoleEvent{Node: fmt.Sprintf("db-%d", i%5), Summary: fmt.Sprintf("disk /var %d%% full", 80+i%20),
			Severity: SevMedium, Time: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	triaged := StatusTriaged
	for id := int64(1); id <= 30; id += 3 {
		s.Update(ctx, id, Patch{Status: &triaged}, Actor{Name: "alice"})
	}
	medium := SevMedium
	queries := []string{"user1", "user12", "198.51.100.7", "bastion-1", "BASTION", "rule.2", "host 3", "db-3 disk", "login user9", "nothing", "var 9"}
	filters := []Filter{{}, {Status: []Status{StatusTriaged}}, {MinSeverity: &medium}, {RuleID: []string{"Rule.1"}}, {Kind: KindEvent}}
	for _, q := range queries {
		for fi, f := range filters {
			for _, sort := range []string{"-last_seen", "tally", "-severity", "first_seen", "id"} {
				f.Text = q
				var pages [2][]int64
				for plan, force := range []string{"index", "walk"} {
					s.textPlan = force
					cursor := ""
					for range 50 {
						res, err := s.List(ctx, f, Page{Sort: sort, Limit: 4, Cursor: cursor})
						if err != nil {
							t.Fatal(err)
						}
						for _, a := range res.Alerts {
							pages[plan] = append(pages[plan], a.ID)
						}
						if cursor = res.Next; cursor == "" {
							break
						}
					}
				}
				if !slices.Equal(pages[0], pages[1]) {
					t.Errorf("%q, filter %d, sort %s: index %v, walk %v", q, fi, sort, pages[0], pages[1])
				}
				if n, _ := s.Count(ctx, f); int(n) != len(pages[0]) {
					t.Errorf("%q, filter %d: count %d, pages %d", q, fi, n, len(pages[0]))
				}
			}
		}
	}
	s.textPlan = ""
	if n, _ := s.Count(ctx, Filter{Text: "user12"}); n != 1 { // user12 only (users 0-119)
		t.Fatalf("user12: %d", n)
	}
	// A title changed (as the alert rules' re-evaluation does) is found
	// by its new words only.
	if _, err := s.wdb.Exec(`UPDATE alerts SET title = 'renamed quokka' WHERE id = 5`); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx, Filter{Text: "quokka"}); n != 1 {
		t.Fatalf("new title: %d", n)
	}
	if n, _ := s.Count(ctx, Filter{Text: "user4"}); n != 10 { // user40-49; user4 was alert 5, renamed
		t.Fatalf("old title still indexed: %d", n)
	}
}
