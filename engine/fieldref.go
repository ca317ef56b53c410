package engine

import (
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// FieldRef reads a field of a match, for ThresholdDistinct, GroupBy and
// the keys of correlation rules: a path of the event (userIdentity.arn,
// resources[*].ARN), a standard p_ field (p_log_type, p_any_ip_addresses:
// a list gives each of its values), or p_alert_context.<path>, read from
// the alert context the rule returned.
type FieldRef struct {
	src  string
	meta string // a p_ standard field
	ctx  bool   // p_alert_context.<path>
	path event.Path
}

// ParseFieldRef compiles a field reference.
func ParseFieldRef(s string) (FieldRef, error) {
	f := FieldRef{src: s}
	if rest, ok := strings.CutPrefix(s, "p_alert_context."); ok {
		f.ctx = true
		s = rest
	} else if isIndicator(s) || slices.Contains(standardFields, s) {
		f.meta = s
		return f, nil
	}
	p, err := event.ParsePath(s)
	if err != nil {
		return f, err
	}
	f.path = p
	return f, nil
}

var standardFields = []string{event.FieldLogType, event.FieldEventTime, event.FieldParseTime, event.FieldRowID,
	event.FieldSourceFile, event.FieldSourceLabel}

func isIndicator(name string) bool {
	k, ok := event.KindByName(name)
	return ok && k.Field() == name
}

// String is the reference as written.
func (f FieldRef) String() string { return f.src }

// Values appends the text of every value the field has in e (or in the
// alert context): none when it is missing or empty, several for lists.
// The strings are copies: they outlive the event.
func (f FieldRef) Values(dst []string, e *event.Event, alertContext []byte) []string {
	switch {
	case f.meta != "":
		if e == nil {
			return dst
		}
		s, list, ok := e.Meta(f.meta)
		if !ok {
			// A hand-written event may carry the p_ field itself.
			return f.each(dst, e.Fields)
		}
		if list != nil {
			for _, v := range list {
				dst = append(dst, strings.Clone(v))
			}
			return dst
		}
		return append(dst, strings.Clone(s))
	case f.ctx:
		if len(alertContext) == 0 {
			return dst
		}
		var p fastjson.Parser
		v, err := p.ParseBytes(alertContext)
		if err != nil {
			return dst
		}
		return f.each(dst, v)
	}
	if e == nil {
		return dst
	}
	return f.each(dst, e.Fields)
}

func (f FieldRef) each(dst []string, root *fastjson.Value) []string {
	if root == nil {
		return dst
	}
	path := f.path
	if f.meta != "" {
		path = event.MustPath(f.meta)
	}
	path.Each(root, func(v *fastjson.Value) bool {
		if v.Type() == fastjson.TypeArray {
			for _, x := range v.GetArray() {
				if s := event.Text(x); s != "" {
					dst = append(dst, s)
				}
			}
			return true
		}
		if s := event.Text(v); s != "" {
			dst = append(dst, s)
		}
		return true
	})
	return dst
}

// IsContext reports whether the field is read from the alert context.
func (f FieldRef) IsContext() bool { return f.ctx }

// ValuesParsed is Values with the alert context parsed already (nil:
// none), for a caller that reads several fields of one match's context:
// it is parsed once, not once a field.
func (f FieldRef) ValuesParsed(dst []string, e *event.Event, alertContext *fastjson.Value) []string {
	if f.ctx {
		return f.each(dst, alertContext)
	}
	return f.Values(dst, e, nil)
}

// distinctField is a rule's ThresholdDistinct.
type distinctField struct {
	ref FieldRef
}

func newDistinctField(s string) *distinctField {
	ref, err := ParseFieldRef(s)
	if err != nil {
		return nil // refused by checkValues
	}
	return &distinctField{ref: ref}
}
