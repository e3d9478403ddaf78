package edge

import "math/rand/v2"

// newRequestID returns a random version-4 UUID in its 36-character form, as AWS request
// ids look. Request ids need to be unique, not secret, so the runtime's fast per-thread
// generator serves (it is seeded from the operating system).
func newRequestID() string {
	const hexDigits = "0123456789abcdef"
	hi, lo := rand.Uint64(), rand.Uint64()
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // RFC 4122 variant
	var b [36]byte
	j := 0
	put := func(v uint64, nibbles int) {
		for k := nibbles - 1; k >= 0; k-- {
			b[j] = hexDigits[(v>>(4*uint(k)))&0xf]
			j++
		}
	}
	put(hi>>32, 8)
	b[j] = '-'
	j++
	put(hi>>16, 4)
	b[j] = '-'
	j++
	put(hi, 4)
	b[j] = '-'
	j++
	put(lo>>48, 4)
	b[j] = '-'
	j++
	put(lo, 12)
	return string(b[:])
}
