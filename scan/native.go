package scan

import (
	"fmt"

	"github.com/valyala/fastjson"

	"panther/parsers"
)

// readNative takes a resource already in Panther's shape (a test resource,
// an export of Panther's resources API, another tool's output): it is used
// as it is, after checking its type.
func (s *source) readNative(v *fastjson.Value, item string) error {
	name := str(v, "ResourceType")
	t, ok := LookupType(name)
	if item == "" {
		item = "resource"
	}
	if !ok {
		hint := ""
		if n := parsers.Nearest(name, TypeNames()); n != "" {
			hint = " (did you mean " + n + "?)"
		}
		s.itemFail(item, fmt.Errorf("unknown ResourceType %q%s; see panther resourcetypes", name, hint))
		return nil
	}
	if name != t.Name {
		v.Set("ResourceType", s.b.str(t.Name))
	}
	arn := firstStr(v, "Arn", "ARN")
	h := &hdr{Type: t.Name, ID: str(v, "ResourceId"), Account: str(v, "AccountId"), Region: str(v, "Region"), ARN: arn,
		Name: str(v, "Name"), Item: item, Time: parseTime(v.Get("p_snapshot_time"))}
	return s.done(h, v)
}
