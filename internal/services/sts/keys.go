package sts

import (
	"crypto/rand"
	"encoding/base64"
)

// newSessionToken returns an opaque session token of the length and alphabet of AWS's.
func newSessionToken() string {
	var b [270]byte
	_, _ = rand.Read(b[:])
	return "IQoJb3JpZ2luX2VjE" + base64.StdEncoding.EncodeToString(b[:])
}
