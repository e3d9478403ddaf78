package pattern

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// looksLikeIP applies AWS's syntactic test for an IP address literal: four
// dot-separated decimal runs, or hex digits and colons with at least one
// colon. Only strings that pass it are ever treated as addresses.
func looksLikeIP(s string) (v4, v6 bool) {
	if s == "" {
		return false, false
	}
	parts := 0
	digits := 0
	isV4 := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			if digits == 0 {
				isV4 = false
			}
			parts++
			digits = 0
		default:
			isV4 = false
		}
		if !isV4 {
			break
		}
	}
	if isV4 && parts == 3 && digits > 0 {
		return true, false
	}
	colon := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colon = true
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false, false
		}
	}
	return false, colon
}

// parseIP returns the address bytes (4 or 16) of an IP literal, and whether
// the string looked like an address at all.
func parseIP(s string) (addr []byte, looks bool) {
	v4, v6 := looksLikeIP(s)
	switch {
	case v4:
		out := make([]byte, 4)
		for i, part := range strings.Split(s, ".") {
			n, err := strconv.Atoi(part)
			if err != nil || n > 255 {
				return nil, true
			}
			out[i] = byte(n)
		}
		return out, true
	case v6:
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return nil, true
		}
		b := a.As16()
		return b[:], true
	}
	return nil, false
}

// ipKey is the canonical key of an IP literal, or "" if s is not one.
func ipKey(s string) string {
	addr, _ := parseIP(s)
	return string(addr)
}

// cidrRange is an inclusive range of addresses of one family.
type cidrRange struct {
	lo, hi []byte
}

func (r cidrRange) contains(addr []byte) bool {
	return len(addr) == len(r.lo) && bytes.Compare(addr, r.lo) >= 0 && bytes.Compare(addr, r.hi) <= 0
}

// parseCIDR parses a cidr operand with AWS's rules and reasons. The bottom
// of the range is the address as written, not the masked network address.
func parseCIDR(s string) (cidrRange, error) {
	parts := strings.Split(s, "/")
	// Java's String.split drops trailing empty strings.
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return cidrRange{}, &reasonError{"Malformed CIDR, one '/' required"}
	}
	bits, err := strconv.ParseInt(parts[1], 10, 32)
	if err != nil {
		return cidrRange{}, &reasonError{"Malformed CIDR, mask bits must be an integer"}
	}
	if bits < 0 {
		return cidrRange{}, &reasonError{"Malformed CIDR, mask bits must not be negative"}
	}
	addr, looks := parseIP(parts[0])
	if !looks {
		return cidrRange{}, &reasonError{"Nonstandard IP address: " + parts[0]}
	}
	if addr == nil {
		return cidrRange{}, &reasonError{"Invalid IP address: " + parts[0]}
	}
	if len(addr) == 4 && bits > 31 {
		return cidrRange{}, &reasonError{"IPv4 mask bits must be < 32"}
	}
	if len(addr) == 16 && bits > 127 {
		return cidrRange{}, &reasonError{"IPv6 mask bits must be < 128"}
	}
	hi := make([]byte, len(addr))
	free := len(addr)*8 - int(bits)
	for i := len(addr) - 1; i >= 0; i-- {
		switch {
		case free >= 8:
			hi[i] = 0xff
		case free <= 0:
			hi[i] = addr[i]
		default:
			hi[i] = addr[i] | byte(1<<free-1)
		}
		free -= 8
	}
	return cidrRange{lo: addr, hi: hi}, nil
}
