// Package awsid makes and reads AWS's identifiers: account ids, access key ids (AKIA...,
// ASIA...) and the unique ids of IAM entities (AROA..., AIDA..., ANPA...).
//
// An AWS access key id or unique id is a four-letter prefix and 16 base-32 characters
// whose first 48 bits carry the owning account shifted left by seven bits (unique ids have
// one more character). STS's GetAccessKeyInfo reads the account back from any such key,
// and the edge maps a key Overcast issued to its account, so the ids Overcast makes carry
// their account the same way.
package awsid

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strconv"
	"strings"
)

// alphabet is the alphabet of AWS ids: RFC 4648 base 32.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a 20-character id (an access key id): prefix and 16 characters encoding
// account and random bits.
func New(prefix, account string) string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return encode(prefix, account, b)
}

// NewUnique returns a 21-character unique id (AROA..., AIDA..., ANPA...): an id of New's
// form and one more random character, as long as AWS's.
func NewUnique(prefix, account string) string {
	var b [1]byte
	_, _ = rand.Read(b[:])
	return New(prefix, account) + string(alphabet[b[0]&31])
}

// Stable returns a 21-character unique id derived from seed: the same for the same
// prefix, account and seed, for entities whose ids must not change between calls (AWS
// managed policies, roles Overcast has no record of).
func Stable(prefix, account, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	var b [10]byte
	copy(b[:], sum[:])
	return encode(prefix, account, b) + string(alphabet[sum[10]&31])
}

// encode returns prefix and the base-32 form of b with account written over its first 48
// bits (shifted left by seven, the low seven bits kept).
func encode(prefix, account string, b [10]byte) string {
	acct, _ := strconv.ParseUint(account, 10, 64)
	v := acct<<7 | uint64(b[5]&0x7f)
	for i := 5; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return prefix + encoding.EncodeToString(b[:])
}

// Account returns the account an id of New's, NewUnique's or Stable's form (or AWS's own)
// carries, and whether key has that form.
func Account(key string) (string, bool) {
	if len(key) == 21 {
		key = key[:20]
	}
	if len(key) != 20 {
		return "", false
	}
	b, err := encoding.DecodeString(key[4:])
	if err != nil || len(b) != 10 {
		return "", false
	}
	var v uint64
	for _, x := range b[:6] {
		v = v<<8 | uint64(x)
	}
	acct := (v & 0x7fffffffff80) >> 7
	if acct > 999999999999 {
		return "", false
	}
	s := strconv.FormatUint(acct, 10)
	return strings.Repeat("0", 12-len(s)) + s, true
}

// IsAccount reports whether s is a 12-digit account id.
func IsAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NewSecret returns a 40-character secret access key.
func NewSecret() string {
	var b [30]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
