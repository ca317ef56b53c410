package luavm

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// The internal networks setting: by default the private ranges (the
// addresses net.is_private takes); set, the ranges given, the most specific
// entry deciding, so a network can be left out of a larger one.
func TestInternalNetworks(t *testing.T) {
	t.Parallel()
	addrs := []string{"10.1.2.3", "172.16.0.1", "172.32.0.1", "192.168.0.5", "192.168.1.5", "100.64.1.1", "127.0.0.1",
		"169.254.1.1", "0.0.0.0", "203.0.113.9", "8.8.8.8", "fd00::1", "fe80::1", "::1", "::", "2001:db8::1", "::ffff:10.0.0.1",
		"::ffff:203.0.113.9"}
	for _, tc := range []struct {
		specs    []string
		internal string // the addrs that are internal, space-separated
	}{
		{nil, "10.1.2.3 172.16.0.1 192.168.0.5 192.168.1.5 100.64.1.1 127.0.0.1 169.254.1.1 0.0.0.0 fd00::1 fe80::1 ::1 :: ::ffff:10.0.0.1"},
		// "10.0.0.0/8 is ours and 192.168.0.0/24 is not."
		{[]string{"10.0.0.0/8"}, "10.1.2.3 ::ffff:10.0.0.1"},
		{[]string{"private", "!192.168.0.0/24"}, "10.1.2.3 172.16.0.1 192.168.1.5 100.64.1.1 127.0.0.1 169.254.1.1 0.0.0.0 fd00::1 fe80::1 ::1 :: ::ffff:10.0.0.1"},
		{[]string{" 203.0.113.0/24", "!203.0.113.9", "2001:db8::/32"}, "2001:db8::1"},
		{[]string{"203.0.113.9", "::ffff:8.8.8.8/128"}, "203.0.113.9 8.8.8.8 ::ffff:203.0.113.9"},
	} {
		n, err := ParseNetworks(tc.specs)
		if err != nil {
			t.Fatalf("%q: %v", tc.specs, err)
		}
		var got []string
		for _, a := range addrs {
			if n.Contains(netip.MustParseAddr(a)) {
				got = append(got, a)
			}
		}
		if strings.Join(got, " ") != tc.internal {
			t.Errorf("%q:\n got  %s\n want %s", tc.specs, strings.Join(got, " "), tc.internal)
		}
	}
	// The default is what net.is_private takes, address for address.
	def := DefaultNetworks()
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var a netip.Addr
		if rnd.IntN(4) == 0 {
			var b [16]byte
			for i := range b {
				b[i] = byte(rnd.Uint32())
			}
			b[0] = []byte{0xfc, 0xfd, 0xfe, 0x20, 0x00}[rnd.IntN(5)]
			a = netip.AddrFrom16(b)
		} else {
			a = netip.AddrFrom4([4]byte{[]byte{10, 172, 192, 100, 127, 169, 0, 8, 203}[rnd.IntN(9)], byte(rnd.Uint32()), byte(rnd.Uint32()), byte(rnd.Uint32())})
		}
		if def.Contains(a) != isPrivate(a) {
			t.Fatalf("%s: default internal %v, private %v", a, def.Contains(a), isPrivate(a))
		}
	}
	for _, bad := range [][]string{{"10.0.0.0/33"}, {"ten"}, {"!"}, {"10.0.0.0/8", "!10.0.0.0/8"}, {" "}} {
		if _, err := ParseNetworks(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// net.is_internal reads the VM's setting; net.is_private keeps meaning
// the address's kind.
func TestNetIsInternal(t *testing.T) {
	t.Parallel()
	lab, err := ParseNetworks([]string{"10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	src := `function f(e) return {net.is_internal("10.1.2.3"), net.is_internal("192.168.0.5"), net.is_private("192.168.0.5"),
		net.is_internal(e.sourceIPAddress), net.is_internal("not an ip"), net.is_internal(nil)} end`
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{}, `[true,true,true,false,false,false]`},
		{Options{Internal: lab}, `[true,false,true,false,false,false]`},
	} {
		vm := New(tc.opts)
		got, err := run(t, vm, src)
		vm.Close()
		if err != nil || got != tc.want {
			t.Errorf("%v: got %s %v, want %s", tc.opts.Internal, got, err, tc.want)
		}
	}
}
