package rules

import (
	"regexp"
	"strconv"
	"strings"
)

type actionKind int

const (
	actSet actionKind = iota
	actReplace
	actSeverity
	actDestinations
	actDiscard
	actStop
)

// Action is one compiled action of a rule.
type Action struct {
	kind  actionKind
	field string
	tpl   template
	re    *regexp.Regexp
	names []string
	line  int
}

func (a *Action) run(c *evalCtx) {
	switch a.kind {
	case actSet:
		c.in.Fields[a.field] = a.tpl.expand(c)
	case actSeverity:
		c.in.Fields["severity"] = a.tpl.lit
	case actReplace:
		v, ok := c.in.Get(a.field)
		if !ok {
			return
		}
		c.in.Fields[a.field] = a.re.ReplaceAllString(v, a.tpl.expand(c))
	}
}

// template is text with {field}, {match.1} and {match.name} references;
// {{ and }} are literal braces.
type template struct {
	lit   string // the whole text when it has no reference
	parts []tplPart
}

type tplPart struct {
	text  string
	field string // a field reference
	group int    // a capture: 1-based index, or -1 with name
	name  string
	isCap bool
}

func parseTemplate(s string) (template, error) {
	if !strings.ContainsAny(s, "{}") {
		return template{lit: s}, nil
	}
	var t template
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, tplPart{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case ch == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return t, errorf("template %q: { without its }", s)
			}
			ref := strings.TrimSpace(s[i+1 : i+end])
			if ref == "" {
				return t, errorf("template %q: empty {}", s)
			}
			flush()
			if g, ok := strings.CutPrefix(ref, "match."); ok {
				p := tplPart{isCap: true, group: -1, name: g}
				if n, err := strconv.Atoi(g); err == nil {
					p.group, p.name = n, ""
				}
				t.parts = append(t.parts, p)
			} else {
				t.parts = append(t.parts, tplPart{field: ref})
			}
			i += end
		case ch == '}':
			return t, errorf("template %q: } without its {; write }} for a brace", s)
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	if len(t.parts) == 1 && t.parts[0].field == "" && !t.parts[0].isCap {
		return template{lit: t.parts[0].text}, nil
	}
	return t, nil
}

func (t *template) expand(c *evalCtx) string {
	if t.parts == nil {
		return t.lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		switch {
		case p.isCap:
			if c.capRe == nil {
				continue
			}
			i := p.group
			if i < 0 {
				i = c.capRe.SubexpIndex(p.name)
			}
			if i >= 0 && i < len(c.caps) {
				b.WriteString(c.caps[i])
			}
		case p.field != "":
			v, _ := c.in.Get(p.field)
			b.WriteString(v)
		default:
			b.WriteString(p.text)
		}
	}
	return b.String()
}
