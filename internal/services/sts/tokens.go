package sts

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
)

// jwtClaims returns the claims of a JWT's payload, or nil when token is not one. The
// signature is not checked.
func jwtClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(b, &claims) != nil {
		return nil
	}
	return claims
}

// claimString renders an audience claim: a string, or the first of a list.
func claimString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			s, _ := x[0].(string)
			return s
		}
	}
	return ""
}

var samlAttributeValue = regexp.MustCompile(`(?s)<(?:\w+:)?AttributeValue[^>]*>\s*([^<]*?)\s*</(?:\w+:)?AttributeValue>`)

// samlAttribute returns the first value of the named attribute of a base64 SAML
// assertion, or "" when there is none. The assertion is not verified.
func samlAttribute(assertion, name string) string {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(assertion))
	if err != nil {
		return ""
	}
	doc := string(b)
	i := strings.Index(doc, `Name="`+name+`"`)
	if i < 0 {
		return ""
	}
	m := samlAttributeValue.FindStringSubmatch(doc[i:])
	if m == nil {
		return ""
	}
	return m[1]
}
