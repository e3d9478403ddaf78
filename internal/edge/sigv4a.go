package edge

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
)

// Signature Version 4a (multi-region) signs the SigV4 canonical request with an ECDSA
// P-256 key derived from the secret access key. Its credential scope has no region
// ("AKID/20260101/events/aws4_request"); the regions the signature is good for travel in
// X-Amz-Region-Set, a signed header (or query parameter of a presigned URL). SDKs sign so
// for EventBridge global endpoints (PutEvents with an EndpointId) and S3 Multi-Region
// Access Points.
const (
	sigV4aAlgorithm = "AWS4-ECDSA-P256-SHA256"
	// sigV4aKeyPrefix is prepended to the secret access key to form the KDF's key.
	sigV4aKeyPrefix = "AWS4A"
	regionSetHeader = "X-Amz-Region-Set"
)

// p256MinusTwo is n-2 for P-256's order n: a KDF output c below it gives the private key
// c+1, which then lies in [1, n-2].
var p256MinusTwo = new(big.Int).Sub(elliptic.P256().Params().N, big.NewInt(2))

var errSigV4aKeyExhausted = errors.New("derive sigv4a key: no candidate below the curve order in 255 tries")

// deriveSigV4aKey derives the ECDSA P-256 key pair of an access key and its secret, as
// FIPS 186-4 Appendix B.4.2 describes ("testing candidates"): each candidate is 256 bits
// of the NIST SP 800-108 counter-mode KDF with HMAC-SHA256, keyed with "AWS4A"+secret,
// labelled with the algorithm name, whose context is the access key followed by a
// one-byte external counter that moves on when a candidate is too large.
func deriveSigV4aKey(accessKey, secret string) (*ecdsa.PrivateKey, error) {
	const bits = 256
	c := new(big.Int)
	for counter := 1; counter <= 0xff; counter++ {
		context := append([]byte(accessKey), byte(counter))
		c.SetBytes(kdfCounterHMACSHA256([]byte(sigV4aKeyPrefix+secret), []byte(sigV4aAlgorithm), context, bits))
		if c.Cmp(p256MinusTwo) >= 0 {
			continue
		}
		c.Add(c, big.NewInt(1))
		return ecdsa.ParseRawPrivateKey(elliptic.P256(), c.FillBytes(make([]byte, bits/8)))
	}
	return nil, errSigV4aKeyExhausted
}

// kdfCounterHMACSHA256 is the NIST SP 800-108 key derivation function in counter mode
// with HMAC-SHA256 as the PRF and a 32-bit counter: block i is
// HMAC(key, [i]_32 || label || 0x00 || context || [bits]_32), and the output is the
// first bits/8 bytes of the blocks joined.
func kdfCounterHMACSHA256(key, label, context []byte, bits int) []byte {
	fixed := make([]byte, 0, len(label)+1+len(context)+4)
	fixed = append(fixed, label...)
	fixed = append(fixed, 0)
	fixed = append(fixed, context...)
	fixed = binary.BigEndian.AppendUint32(fixed, uint32(bits))

	n := bits / 8
	out := make([]byte, 0, n+sha256.Size)
	m := hmac.New(sha256.New, key)
	for i := uint32(1); len(out) < n; i++ {
		m.Reset()
		var ctr [4]byte
		binary.BigEndian.PutUint32(ctr[:], i)
		m.Write(ctr[:])
		m.Write(fixed)
		out = m.Sum(out)
	}
	return out[:n]
}

// sigV4aPublicKey returns the public key SigV4a signatures of accessKey are checked with,
// deriving it on first use; the derivation depends on nothing else, so a key stays cached
// until the cache fills.
func (v *verifier) sigV4aPublicKey(accessKey, secret string) (*ecdsa.PublicKey, error) {
	ck := accessKey + "\x00" + secret
	v.mu.Lock()
	k, ok := v.ecKeys[ck]
	v.mu.Unlock()
	if ok {
		return k, nil
	}
	priv, err := deriveSigV4aKey(accessKey, secret)
	if err != nil {
		return nil, err
	}
	k = &priv.PublicKey
	v.mu.Lock()
	if v.ecKeys == nil || len(v.ecKeys) >= maxCachedKeys {
		v.ecKeys = make(map[string]*ecdsa.PublicKey)
	}
	v.ecKeys[ck] = k
	v.mu.Unlock()
	return k, nil
}

// sigV4aMatcher returns the check of string-to-sign candidates against the request's
// SigV4a signature: the hex of an ASN.1 DER ECDSA signature of the string's SHA-256.
// A signature that is not hex matches nothing.
func (v *verifier) sigV4aMatcher(in *verifyInput) (func(sts string) bool, error) {
	pub, err := v.sigV4aPublicKey(in.sig.accessKey, in.secret)
	if err != nil {
		return nil, err
	}
	der, herr := hex.DecodeString(in.sig.sig)
	return func(sts string) bool {
		if herr != nil {
			return false
		}
		sum := sha256.Sum256([]byte(sts))
		return ecdsa.VerifyASN1(pub, sum[:], der)
	}, nil
}

// regionOfSet returns the region of a SigV4a region set naming exactly one region
// without wildcards ("us-west-2"), and "" for any other set ("*", "us-*", "a,b").
func regionOfSet(set string) string {
	set = strings.TrimSpace(set)
	if set == "" || strings.ContainsAny(set, ",*") {
		return ""
	}
	return set
}
