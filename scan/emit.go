package scan

import (
	"bytes"
	"errors"
	"time"

	"github.com/valyala/fastjson"

	"panther/parsers/event"
)

// hdr is what every resource starts with.
type hdr struct {
	Type    string
	ID      string
	Account string
	Region  string
	ARN     string
	AWSID   string // "Id"
	Name    string
	Tags    *fastjson.Value
	Created time.Time
	// Where the resource was found and when it was in this state.
	Item     string
	Time     time.Time
	Address  string
	Location *Location
}

// start makes the resource object with the header fields, in Panther's
// order; the type's fields are set after.
func (s *source) start(h *hdr) *fastjson.Value {
	b := s.b
	o := b.object()
	o.Set("ResourceType", b.str(h.Type))
	o.Set("ResourceId", b.str(h.ID))
	o.Set("AccountId", b.str(h.Account))
	o.Set("Region", b.str(h.Region))
	o.Set("Arn", b.str(h.ARN))
	o.Set("Id", b.str(h.AWSID))
	o.Set("Name", b.str(h.Name))
	if h.Tags == nil {
		o.Set("Tags", b.null())
	} else {
		o.Set("Tags", h.Tags)
	}
	o.Set("TimeCreated", b.timeValue(h.Created))
	return o
}

var errNoID = errors.New("no resource id (no ARN or identifier in the item)")

// done emits the resource o.
func (s *source) done(h *hdr, o *fastjson.Value) error {
	if h.ID == "" {
		s.r.fail(&ItemError{File: s.name, Item: h.Item, Err: errNoID})
		return nil
	}
	// event.AppendValue, not MarshalTo: fastjson writes control bytes of
	// strings with Go escapes (\x00) that JSON does not have.
	s.b.buf = event.AppendValue(s.b.buf[:0], o)
	t := h.Time
	if t.IsZero() {
		t = s.r.opts.Now().UTC()
	}
	res := &Resource{
		Type: h.Type, ID: h.ID, Account: h.Account, Region: h.Region, ARN: h.ARN, Name: h.Name,
		Source: s.name, Format: s.format, Item: h.Item, Address: h.Address, Location: h.Location,
		Time: t, JSON: bytes.Clone(s.b.buf), Digest: s.digest,
	}
	if s.format != "terraform-plan" {
		s.r.meta.observe(res, o)
	}
	s.r.stats.Resources++
	return s.emit(res)
}
