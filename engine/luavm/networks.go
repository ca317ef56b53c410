package luavm

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Networks is the "internal networks" setting: the address ranges that are
// ours, which net.is_internal and the shipped helpers that tell internal
// from internet addresses (netmon.is_public, syslog.is_internal) read.
//
// Each entry is a CIDR or an address, or "!" and one, which excludes it, or
// "private", which stands for DefaultNetworks' ranges. The most specific
// entry that holds an address decides, so a lab's 192.168.0.0/24 can be
// left out of the private ranges:
//
//	internal_networks: [10.0.0.0/8, "!192.168.0.0/24", private]
//
// An empty setting means DefaultNetworks. IPv4-mapped IPv6 addresses are
// read as IPv4.
type Networks struct {
	specs   []string
	entries []netEntry // most specific first
}

type netEntry struct {
	p       netip.Prefix
	exclude bool
}

// PrivateRanges are the default internal networks: the private (RFC 1918,
// RFC 4193), loopback, link-local, CGNAT (RFC 6598) and unspecified
// addresses, as net.is_private has them.
var PrivateRanges = []string{
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/32",
	"fc00::/7", "fe80::/10", "::1/128", "::/128",
}

// DefaultNetworks returns the private ranges.
func DefaultNetworks() *Networks {
	n, err := ParseNetworks(nil)
	if err != nil {
		panic(err)
	}
	return n
}

// ParseNetworks reads the setting's entries (see Networks); no entries
// means the private ranges.
func ParseNetworks(specs []string) (*Networks, error) {
	n := &Networks{}
	if len(specs) == 0 {
		specs = []string{"private"}
	}
	seen := map[netip.Prefix]string{}
	for _, raw := range specs {
		s := strings.TrimSpace(raw)
		if s == "" {
			continue
		}
		n.specs = append(n.specs, s)
		exclude := false
		if r, ok := strings.CutPrefix(s, "!"); ok {
			exclude, s = true, strings.TrimSpace(r)
		}
		var ps []netip.Prefix
		if s == "private" {
			for _, r := range PrivateRanges {
				ps = append(ps, netip.MustParsePrefix(r))
			}
		} else {
			p, err := parsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("internal networks: %q is not a CIDR, an address, \"private\" or one of them after \"!\"", raw)
			}
			ps = append(ps, p)
		}
		for _, p := range ps {
			if prev, dup := seen[p]; dup {
				if (prev[0] == '!') != exclude {
					return nil, fmt.Errorf("internal networks: %s is both included and excluded (%q and %q)", p, prev, raw)
				}
				continue
			}
			seen[p] = raw
			n.entries = append(n.entries, netEntry{p: p, exclude: exclude})
		}
	}
	if len(n.entries) == 0 {
		return nil, fmt.Errorf("internal networks: no network given")
	}
	slices.SortStableFunc(n.entries, func(a, b netEntry) int { return b.p.Bits() - a.p.Bits() })
	return n, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Contains reports whether a is internal: the most specific entry that
// holds it is not an exclusion.
func (n *Networks) Contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, e := range n.entries {
		if e.p.Contains(a) {
			return !e.exclude
		}
	}
	return false
}

// String is the setting as given ("private" when defaulted).
func (n *Networks) String() string { return strings.Join(n.specs, ",") }
