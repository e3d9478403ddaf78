package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sort"
	"strings"
)

// md5Hex returns the hex MD5 of s, as MD5OfMessageBody carries it.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Transport type bytes of the attribute digest, as AWS documents them in "Calculating the
// MD5 message digest for message attributes".
const (
	transportString byte = 1
	transportBinary byte = 2
)

// attrValue is one message attribute (user or system) as Overcast keeps it.
type attrValue struct {
	DataType    string `json:"t"`
	StringValue string `json:"s,omitempty"`
	BinaryValue []byte `json:"b,omitempty"`
}

// isBinary reports whether the attribute travels as binary (its data type is Binary or a
// custom Binary.x type).
func (a attrValue) isBinary() bool {
	return a.DataType == "Binary" || strings.HasPrefix(a.DataType, "Binary.")
}

// md5OfAttributes returns the digest SQS answers in MD5OfMessageAttributes and
// MD5OfMessageSystemAttributes, computed exactly as the SDKs verify it: for each attribute in
// order of name, the 4-byte big-endian length and UTF-8 bytes of the name, the same for the
// data type, one transport byte (1 string, 2 binary), then the length and bytes of the value.
// It returns "" for no attributes, when AWS leaves the member out.
func md5OfAttributes(attrs map[string]attrValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	for _, n := range names {
		a := attrs[n]
		writeLenPrefixed(h, []byte(n))
		writeLenPrefixed(h, []byte(a.DataType))
		if a.isBinary() {
			h.Write([]byte{transportBinary})
			writeLenPrefixed(h, a.BinaryValue)
		} else {
			h.Write([]byte{transportString})
			writeLenPrefixed(h, []byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func writeLenPrefixed(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}
