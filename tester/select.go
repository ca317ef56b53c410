package tester

import (
	"fmt"
	"slices"
	"strings"

	"panther/engine"
	"panther/parsers"
)

// Filter selects detections by a spec key, as panther_analysis_tool's
// --filter does: Key=V1,V2 keeps detections whose Key is one of the values
// (for lists such as LogTypes or Tags: holds one of them); Key!=V drops
// them. Values compare without case.
type Filter struct {
	Key    string
	Values []string
	Negate bool
}

// FilterKeys are the keys a filter may name.
var FilterKeys = []string{"AnalysisType", "RuleID", "PolicyID", "ID", "DisplayName", "Enabled", "LogTypes",
	"ResourceTypes", "Severity", "Tags", "Reports", "Filename", "DedupPeriodMinutes", "Threshold"}

// ParseFilter parses "Key=V1,V2" or "Key!=V".
func ParseFilter(s string) (Filter, error) {
	neg := false
	k, v, ok := strings.Cut(s, "!=")
	if ok {
		neg = true
	} else if k, v, ok = strings.Cut(s, "="); !ok {
		return Filter{}, fmt.Errorf("filter %q: write Key=Value (for example LogTypes=AWS.CloudTrail)", s)
	}
	k = strings.TrimSpace(k)
	if !slices.Contains(FilterKeys, k) {
		hint := "keys: " + strings.Join(FilterKeys, ", ")
		if n := parsers.Nearest(k, FilterKeys); n != "" {
			hint = "did you mean " + n + "?"
		}
		return Filter{}, fmt.Errorf("filter %q: unknown key %s (%s)", s, k, hint)
	}
	var vals []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			vals = append(vals, x)
		}
	}
	if len(vals) == 0 {
		return Filter{}, fmt.Errorf("filter %q: no value", s)
	}
	return Filter{Key: k, Values: vals, Negate: neg}, nil
}

// ParseFilters parses each of specs.
func ParseFilters(specs []string) ([]Filter, error) {
	var out []Filter
	for _, s := range specs {
		f, err := ParseFilter(s)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (f Filter) values(d *engine.Detection) []string {
	s := d.Spec
	switch f.Key {
	case "AnalysisType":
		return []string{string(d.Kind)}
	case "RuleID", "PolicyID", "ID":
		return []string{d.ID}
	case "DisplayName":
		return []string{s.DisplayName}
	case "Enabled":
		return []string{fmt.Sprint(d.Enabled)}
	case "LogTypes", "ResourceTypes":
		return d.LogTypes
	case "Severity":
		return []string{d.Severity}
	case "Tags":
		return s.Tags
	case "Reports":
		var out []string
		for k, ids := range s.Reports {
			out = append(out, k)
			out = append(out, ids...)
		}
		return out
	case "Filename":
		return []string{s.Filename}
	case "DedupPeriodMinutes":
		return []string{fmt.Sprint(int(d.DedupPeriod.Minutes()))}
	case "Threshold":
		return []string{fmt.Sprint(d.Threshold)}
	}
	return nil
}

// Match reports whether d passes the filter.
func (f Filter) Match(d *engine.Detection) bool {
	hit := false
	for _, have := range f.values(d) {
		for _, want := range f.Values {
			if strings.EqualFold(have, want) {
				hit = true
			}
		}
	}
	return hit != f.Negate
}

// Selection says which detections a command runs: `panther test`, `panther
// replay --rule/--filter`, `panther search --scheduled --rule` and the
// backend all choose with it.
type Selection struct {
	// Kinds keeps detections of these kinds only (none: every kind).
	Kinds []engine.Kind
	// IDs are detections named explicitly (--rule). Only they are kept,
	// and they run even when disabled: naming a rule is asking for it. An
	// ID that names no detection, or one of another kind, is an error that
	// names the nearest one.
	IDs []string
	// Filters must all pass.
	Filters []Filter
	// Disabled keeps disabled detections (test runs every test, whatever
	// Enabled says); else only enabled ones are kept, bar those named in
	// IDs.
	Disabled bool
}

// Select returns the detections of set the selection keeps, by ID. It
// returns an error only for an ID that names nothing of the kinds asked
// for; a selection that keeps nothing is an empty list, for the caller to
// judge.
func Select(set *engine.Set, sel Selection) ([]*engine.Detection, error) {
	ofKind := func(d *engine.Detection) bool { return len(sel.Kinds) == 0 || slices.Contains(sel.Kinds, d.Kind) }
	var bad []string
	for _, id := range sel.IDs {
		d, ok := set.Detection(id)
		if ok && ofKind(d) {
			continue
		}
		var names []string
		for _, x := range set.Detections {
			if ofKind(x) {
				names = append(names, x.ID)
			}
		}
		kinds := "detection"
		if len(sel.Kinds) > 0 {
			var ks []string
			for _, k := range sel.Kinds {
				ks = append(ks, strings.ReplaceAll(string(k), "_", " "))
			}
			kinds = strings.Join(ks, " or ")
		}
		msg := fmt.Sprintf("no %s %q", kinds, id)
		if ok {
			msg = fmt.Sprintf("%s is a %s, not a %s", id, strings.ReplaceAll(string(d.Kind), "_", " "), kinds)
		}
		if n := parsers.Nearest(id, names); n != "" {
			msg += " (did you mean " + n + "?)"
		}
		bad = append(bad, msg)
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	var out []*engine.Detection
	for _, d := range set.Detections {
		if !ofKind(d) {
			continue
		}
		named := slices.Contains(sel.IDs, d.ID)
		if len(sel.IDs) > 0 && !named || !named && !d.Enabled && !sel.Disabled {
			continue
		}
		if !all(sel.Filters, d) {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

func all(filters []Filter, d *engine.Detection) bool {
	for _, f := range filters {
		if !f.Match(d) {
			return false
		}
	}
	return true
}
