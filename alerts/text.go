package alerts

import (
	"context"
	"database/sql"
	"math/rand/v2"
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
// What a search matches: the text is cut into words as the index cuts
// them — FTS4's simple tokenizer, told which bytes separate words
// (ftsDelimiters): a word is a run of ASCII letters, digits, '.', '-',
// '_' and '@', and of any byte from 128 up (ASCII case ignored), so that
// an address, a host name, an e-mail address or a rule ID is one word
// and is found through the index as fast as any rare word (as the
// separate numbers of an address, "198" being in most titles, a search
// of one address read 2 million index entries). Each whitespace-
// separated part of the text is a phrase of its words, each word a
// prefix: "198.51.100.7" finds that address (and 198.51.100.70-79),
// "bastion" finds "bastion-2", "user42" finds "user4242", "arn:aws:s3"
// finds the ARNs of S3; a part of a word that is not its start ("100.7",
// "4242") finds nothing. Every phrase must be in one of the four fields.
// A text with no word matches nothing.
//
// Two plans, chosen per query. FTS4 answers a query by reading the whole
// list of alerts of each word: cheap for a rare word (one user, one
// host: a few hundred), slow for a common one ("disk" is in 300,000 of
// the bench store's alerts; "198", the start of every address, in
// 700,000: 150 ms each). A common word is found faster by walking the
// page's sort index, with a LIKE of the words in order as a first sieve
// in SQLite, and the exact rule above in Go (textQuery.matches): one
// alert in a few hundred has it, so 50 come after some thousands of
// rows. The choice is made from a sample of 300 alerts (three runs of
// consecutive ones from random places, about 1 ms):
// the share that match and the share that hold each word estimate what
// each plan reads. Both give the same pages (TestTextPlansAgree). The
// walk's worst case is a word common overall that the other filters
// exclude: it reads the filtered alerts of the sort order through.

// textSample is how many alerts the planner reads; a store of fewer
// alerts than textSmall uses the index.
const (
	textSample = 300
	textSmall  = 5000
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
	return b >= 0x80 || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' ||
		b == '.' || b == '-' || b == '_' || b == '@'
}

// ftsDelimiters is the simple tokenizer's second argument (the first is
// not read): every ASCII byte but NUL that is not a word byte, quoted
// for FTS4 (a quote doubled). TestWords checks that the index cuts text
// as words does.
func ftsDelimiters() string {
	var b strings.Builder
	b.WriteByte('\'')
	for c := byte(1); c < 0x80; c++ {
		if isWordByte(c) {
			continue
		}
		if c == '\'' {
			b.WriteByte(c)
		}
		b.WriteByte(c)
	}
	b.WriteByte('\'')
	return b.String()
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
	return q.matchWords(ws)
}

// matchWords is matches over fields cut into words.
func (q textQuery) matchWords(ws [][]string) bool {
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

// likes are the sieve of the walk: per phrase, its words in order as a
// LIKE pattern, matched against each field (words hold no %; a _ in a
// word matches any byte, which only widens the sieve).
func (q textQuery) likes() []string {
	out := make([]string, len(q))
	for i, ph := range q {
		out[i] = "%" + strings.Join(ph, "%") + "%"
	}
	return out
}

// walkText decides the plan of a text search: true to walk the sort
// order, false to read the index's candidates.
func (s *Store) walkText(ctx context.Context, q textQuery) (bool, error) {
	switch s.textPlan {
	case "index":
		return false, nil
	case "walk":
		return true, nil
	}
	var maxID sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, "SELECT max(id) FROM alerts").Scan(&maxID); err != nil {
		return false, err
	}
	if maxID.Int64 < textSmall {
		return false, nil
	}
	// Three runs of consecutive alerts from random places: a range read
	// each (300 rows read one by one at random cost 15-20 ms on a loaded
	// machine, the page's own cost ten times over).
	var q3 []string
	var args []any
	for range 3 {
		q3 = append(q3, "SELECT * FROM (SELECT title, node, rule_id, dedup_key FROM alerts WHERE id >= ? ORDER BY id LIMIT ?)")
		args = append(args, 1+rand.Int64N(maxID.Int64), textSample/3)
	}
	rows, err := s.rdb.QueryContext(ctx, strings.Join(q3, " UNION ALL "), args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var n, match int
	var all []string
	for _, ph := range q {
		all = append(all, ph...)
	}
	has := make([]int, len(all))
	for rows.Next() {
		var f [4]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3]); err != nil {
			return false, err
		}
		n++
		ws := [][]string{words(f[0]), words(f[1]), words(f[2]), words(f[3])}
		if q.matchWords(ws) {
			match++
		}
		for i, w := range all {
			if (textQuery{{w}}).matchWords(ws) {
				has[i]++
			}
		}
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	// Rows the walk reads for a page, against index entries read (an
	// entry costs about a tenth of a row).
	walk := 51 * float64(n+2) / float64(match+1)
	index := 0.0
	for _, h := range has {
		index += float64(maxID.Int64) * float64(h+1) / float64(n+2) / 10
	}
	return walk < index, nil
}
