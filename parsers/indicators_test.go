package parsers

import (
	"reflect"
	"testing"

	"panther/parsers/event"
)

// Sysmon's Hashes lists digests by algorithm: MD5, SHA1 and SHA256 are
// filed under their lists, IMPHASH (32 hex digits, like an MD5) is not.
func TestAddHashList(t *testing.T) {
	t.Parallel()
	const (
		md5    = "44D88612FEA8A8F36DE82E1278ABB02F"
		sha1   = "3395856CE81F2B7382DEE72602F798B642F14140"
		sha256 = "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F"
	)
	cases := []struct {
		in               string
		md5, sha1, sh256 []string
	}{
		{"SHA1=" + sha1 + ",MD5=" + md5 + ",SHA256=" + sha256 + ",IMPHASH=" + md5, []string{"44d88612fea8a8f36de82e1278abb02f"},
			[]string{"3395856ce81f2b7382dee72602f798b642f14140"}, []string{"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}},
		{"IMPHASH=" + md5, nil, nil, nil},
		{"md5=" + md5 + ", sha256 = " + sha256, []string{"44d88612fea8a8f36de82e1278abb02f"}, nil, []string{"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}},
		{sha1, nil, []string{"3395856ce81f2b7382dee72602f798b642f14140"}, nil}, // a bare digest, by its length
		{"MD5=notahash,SHA1=,=,,", nil, nil, nil},
	}
	for _, c := range cases {
		e := event.New()
		AddHashList(e, c.in)
		e.Finish()
		got := [][]string{e.Indicators[event.MD5], e.Indicators[event.SHA1], e.Indicators[event.SHA256]}
		for i, want := range [][]string{c.md5, c.sha1, c.sh256} {
			if len(got[i]) == 0 && len(want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("%q: list %d = %q, want %q", c.in, i, got[i], want)
			}
		}
		e.Release()
	}
}

// An address with a port is the address; anything else is not an IP.
func TestAddIPWithPort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"203.0.113.7:51544":        "203.0.113.7",
		"[2001:db8::1]:443":        "2001:db8::1",
		"[::ffff:198.51.100.2]:80": "198.51.100.2",
		"::ffff:198.51.100.2":      "198.51.100.2",
		"2001:db8::1":              "2001:db8::1",
		"203.0.113.7:port":         "",
		"203.0.113.7:99999":        "",
		"host.example:443":         "",
	} {
		e := event.New()
		AddIP(e, in)
		got := ""
		if l := e.Indicators[event.IP]; len(l) == 1 {
			got = l[0]
		}
		if got != want {
			t.Errorf("AddIP(%q) = %q, want %q", in, got, want)
		}
		e.Release()
	}
}
