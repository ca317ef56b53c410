package syslog

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// header5424 names the header fields after VERSION, for error messages.
var header5424 = [...]string{"TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID"}

const want5424 = "want VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]"

// parse5424 reads "VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
// MSGID SP STRUCTURED-DATA [SP MSG]" (RFC 5424 §6).
func (p *parser) parse5424(s string, e *event.Event, obj *fastjson.Value) error {
	a := e.Arena()
	ver, s, _ := token(s)
	v := 0
	for i := 0; i < len(ver); i++ {
		v = v*10 + int(ver[i]-'0')
	}
	obj.Set("version", a.NewNumberInt(v))

	var fields [len(header5424)]string
	for i := range fields {
		tok, rest, more := token(s)
		switch {
		case tok == "" && !more:
			return &Error{Reason: "RFC 5424 header ends before " + header5424[i] + ": " + want5424}
		case tok == "":
			return &Error{Reason: "RFC 5424 header: empty " + header5424[i] + " (two spaces): " + want5424}
		case !more:
			return &Error{Reason: "RFC 5424 header ends after " + header5424[i] + ": " + want5424}
		}
		fields[i], s = tok, rest
	}
	if ts := fields[0]; ts != "-" {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return errorf("RFC 5424 TIMESTAMP is not RFC 3339:", ts)
		}
		e.Time = t
		obj.Set("timestamp", a.NewString(ts))
	}
	names := [...]string{"", "hostname", "appname", "procid", "msgid"}
	for i := 1; i < len(fields); i++ {
		if fields[i] != "-" {
			obj.Set(names[i], event.NewString(a, fields[i]))
		}
	}

	if s == "" {
		return &Error{Reason: "RFC 5424 header ends before STRUCTURED-DATA: " + want5424}
	}
	if s[0] == '-' {
		s = s[1:]
	} else {
		sd, rest, err := p.structuredData(a, s)
		if err != nil {
			return err
		}
		obj.Set("structured_data", sd)
		s = rest
	}
	switch {
	case s == "":
	case s[0] == ' ':
		s = strings.TrimPrefix(s[1:], "\uFEFF")
	default:
		return errorf("want a space between STRUCTURED-DATA and MSG, got", s)
	}
	setMessage(a, obj, fields[2], "", s)
	return nil
}

// maxSD bounds the SD-ELEMENTs plus SD-PARAMs of one message. Adding a key
// to a fastjson object compares it with every key there, so without a
// bound a 16 MiB line of params would take hours; real messages carry a
// handful.
const maxSD = 256

// structuredData reads one or more SD-ELEMENTs (RFC 5424 §6.3) into
// {sd-id: {param: value}} and returns the rest of s.
func (p *parser) structuredData(a *fastjson.Arena, s string) (*fastjson.Value, string, error) {
	sd := a.NewObject()
	n := 0
	for len(s) > 0 && s[0] == '[' {
		if n++; n > maxSD {
			return nil, "", &Error{Reason: "structured data has more than " + strconv.Itoa(maxSD) + " elements and params: not read"}
		}
		s = s[1:]
		i := 0
		for i < len(s) && s[i] != ' ' && s[i] != ']' && s[i] != '=' && s[i] != '"' {
			i++
		}
		if i == 0 || i == len(s) || s[i] == '=' || s[i] == '"' {
			return nil, "", errorf("structured data: want [SD-ID param=\"value\" ...], got", "["+s)
		}
		id := event.Key(a, s[:i])
		s = s[i:]
		elem := sd.Get(id)
		if elem == nil {
			elem = a.NewObject()
			sd.Set(id, elem)
		}
		for len(s) > 0 && s[0] == ' ' {
			if n++; n > maxSD {
				return nil, "", &Error{Reason: "structured data has more than " + strconv.Itoa(maxSD) + " elements and params: not read"}
			}
			s = s[1:]
			j := 0
			for j < len(s) && s[j] != '=' && s[j] != ' ' && s[j] != ']' && s[j] != '"' {
				j++
			}
			if j == 0 || j+1 >= len(s) || s[j] != '=' || s[j+1] != '"' {
				return nil, "", errorf("structured data of "+id+": want param=\"value\", got", s)
			}
			name := event.Key(a, s[:j])
			s = s[j+2:]
			val, rest, ok := p.paramValue(s)
			if !ok {
				return nil, "", errorf("structured data of "+id+": unterminated value of "+name+":", s)
			}
			s = rest
			addParam(a, elem, name, event.NewString(a, b2s(val)))
		}
		if len(s) == 0 || s[0] != ']' {
			return nil, "", errorf("structured data of "+id+": want ']', got", s)
		}
		s = s[1:]
	}
	return sd, s, nil
}

// paramValue reads a PARAM-VALUE up to its closing quote, undoing the
// escapes \" \\ \] (a backslash before anything else stays, §6.3.3).
func (p *parser) paramValue(s string) (val []byte, rest string, ok bool) {
	p.buf = p.buf[:0]
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			p.buf = append(p.buf, s[start:i]...)
			return p.buf, s[i+1:], true
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == ']') {
				p.buf = append(p.buf, s[start:i]...)
				i++
				start = i
			}
		}
	}
	return nil, "", false
}

// addParam sets name in elem; a name seen before turns into an array of
// every value, in order.
func addParam(a *fastjson.Arena, elem *fastjson.Value, name string, v *fastjson.Value) {
	old := elem.Get(name)
	switch {
	case old == nil:
		elem.Set(name, v)
	case old.Type() == fastjson.TypeArray:
		arr, _ := old.Array()
		old.SetArrayItem(len(arr), v)
	default:
		arr := a.NewArray()
		arr.SetArrayItem(0, old)
		arr.SetArrayItem(1, v)
		elem.Set(name, arr)
	}
}
