package alerts

import (
	"context"
	"database/sql"
	"strings"
)

// Text search.
//
// A LIKE '%text%' over a million titles reads every row the other
// filters leave (1.4 s on the bench store for one user's name among the
// OPEN alerts). So the words of the title, node, rule and key are in a
// full-text index, alerts_text: SQLite's FTS4, which
// github.com/mattn/go-sqlite3 compiles in by default (FTS5 needs its
// sqlite_fts5 build tag, and `go build` alone must give a working
// binary), kept up to date by triggers on alerts (schema.go, migration
// 7).
//
// What a search matches: the text is cut into words as FTS4's simple
// tokenizer cuts (runs of ASCII letters and digits, and of any byte
// from 128 up; ASCII case ignored); each whitespace-separated part of
// the text is a phrase of its words, each word a prefix: "198.51.100.7"
// finds that address, "bastion" finds "bastion-2", "user42" finds
// "user4242". Every phrase must be in one of the four fields. A text
// with no word matches nothing.
//
// Two plans, chosen per query from the index's own counts
// (alerts_terms, FTS4's fts4aux view of it): when the rarest phrase's
// first word is in at most ftsPlanMax alerts, the candidates come from
// the index and are filtered and sorted (a few thousand rows at most);
// a more common word is found faster by walking the page's sort index
// and matching each row in Go with the same rules (textQuery.matches) —
// one alert in a few hundred has it, so 50 come after some thousands of
// rows. A walk that reads walkMax rows without filling the page falls
// back to the index (rare: a common word that the other filters
// exclude).

const (
	ftsPlanMax = 5000
	walkMax    = 50_000
)

// textQuery is a search text as phrases of words (lower-cased).
type textQuery [][]string

// words cuts s as FTS4's simple tokenizer does.
func words(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		word := i < len(s) && isWordByte(s[i])
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			out = append(out, asciiLower(s[start:i]))
			start = -1
		}
	}
	return out
}

// asciiLower folds ASCII letters only, as FTS4's simple tokenizer.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func isWordByte(b byte) bool {
	return b >= 0x80 || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func parseText(s string) textQuery {
	var q textQuery
	for _, part := range strings.Fields(s) {
		if w := words(part); len(w) > 0 {
			q = append(q, w)
		}
	}
	return q
}

// match is the FTS4 MATCH expression: "w1* w2*" "w3*" (phrases of
// prefixes, all required).
func (q textQuery) match() string {
	var b strings.Builder
	for i, ph := range q {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for j, w := range ph {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			b.WriteByte('*')
		}
		b.WriteByte('"')
	}
	return b.String()
}

// matches says whether every phrase is in one of the fields, as the
// index would answer.
func (q textQuery) matches(fields ...string) bool {
	ws := make([][]string, len(fields))
	for i, f := range fields {
		ws[i] = words(f)
	}
next:
	for _, ph := range q {
		for _, fw := range ws {
			for i := 0; i+len(ph) <= len(fw); i++ {
				ok := true
				for j, p := range ph {
					if !strings.HasPrefix(fw[i+j], p) {
						ok = false
						break
					}
				}
				if ok {
					continue next
				}
			}
		}
		return false
	}
	return true
}

// textCond is the condition of the index plan.
const textCond = "alerts.id IN (SELECT docid FROM alerts_text WHERE alerts_text MATCH ?)"

// rarest estimates how many alerts the query's rarest phrase is in: the
// alerts holding its first word (as a prefix), from the index's counts.
func rarest(ctx context.Context, db *sql.DB, q textQuery) (int64, error) {
	best := int64(-1)
	for _, ph := range q {
		var n sql.NullInt64
		// Words hold no 0xFF byte (not in UTF-8): w || x'FF' bounds the
		// words that start with w.
		if err := db.QueryRowContext(ctx, `SELECT sum(documents) FROM alerts_terms
			WHERE col = '*' AND term >= ? AND term < ? || CAST(x'ff' AS TEXT)`, ph[0], ph[0]).Scan(&n); err != nil {
			return 0, err
		}
		if best < 0 || n.Int64 < best {
			best = n.Int64
		}
	}
	return best, nil
}

func (s *Store) rarestTerm(ctx context.Context, q textQuery) (int64, error) {
	return rarest(ctx, s.rdb, q)
}
