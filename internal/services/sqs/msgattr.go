package sqs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/protocol"
)

// validBodyChars reports whether s holds only the characters SQS accepts in a message:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validBodyChars(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != 0x9 && c != 0xA && c != 0xD {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += size
	}
	return true
}

func errInvalidMessageContents() *protocol.Error {
	return NewInvalidMessageContents("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

// rawAttr is a message attribute as the client sent it, before validation.
type rawAttr struct {
	DataType    *string
	StringValue *string
	BinaryValue []byte
}

// maxAttrNameLen and maxAttrTypeLen are AWS's limits on attribute names and data types.
const (
	maxAttrNameLen = 256
	maxAttrTypeLen = 256
)

// validAttrName applies AWS's rules for message attribute names: A-Z, a-z, 0-9, underscore,
// hyphen and period; no leading or trailing period, no two periods in a row; not starting
// with the reserved prefixes "AWS." or "Amazon." in any case; at most 256 characters.
func validAttrName(n string) bool {
	if n == "" || len(n) > maxAttrNameLen || n[0] == '.' || n[len(n)-1] == '.' || strings.Contains(n, "..") {
		return false
	}
	l := strings.ToLower(n)
	if strings.HasPrefix(l, "aws.") || strings.HasPrefix(l, "amazon.") {
		return false
	}
	for i := 0; i < len(n); i++ {
		if !nameChar(n[i]) && n[i] != '.' {
			return false
		}
	}
	return true
}

// attrTypeKind returns "String", "Number" or "Binary" for a valid data type (custom types
// such as "Number.float" or "String.json" included), or "" when the type is invalid.
func attrTypeKind(t string) string {
	if t == "" || len(t) > maxAttrTypeLen {
		return ""
	}
	for _, k := range []string{"String", "Number", "Binary"} {
		if t == k {
			return k
		}
		if strings.HasPrefix(t, k+".") && len(t) > len(k)+1 && validBodyChars(t) {
			return k
		}
	}
	return ""
}

// validNumber reports whether s is a number SQS accepts in a Number attribute: an integer
// or decimal, optionally with an exponent, of at most 38 significant digits, between
// -10^126 and 10^126 and not smaller in magnitude than 10^-128 unless zero. It works on the
// text, so a huge exponent costs nothing.
func validNumber(s string) bool {
	t := strings.TrimLeft(s, "+-")
	if len(s)-len(t) > 1 || t == "" {
		return false
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(t), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return false
	}
	if strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return false
	}
	exp := 0
	big := false
	if hasExp {
		e := strings.TrimLeft(expText, "+-")
		if len(expText)-len(e) > 1 || e == "" || strings.Trim(e, "0123456789") != "" {
			return false
		}
		e = strings.TrimLeft(e, "0")
		if len(e) > 6 {
			big = true // far beyond either bound, unless the number is zero
		} else {
			exp, _ = strconv.Atoi(e)
		}
		if strings.HasPrefix(expText, "-") {
			exp = -exp
		}
	}
	all := intPart + frac
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	digits := strings.Trim(all, "0")
	if len(digits) > 38 {
		return false
	}
	if digits == "" {
		return true
	}
	if big {
		return false
	}
	// The most significant digit stands for 10^order.
	order := len(intPart) - 1 - lead + exp
	switch {
	case order > 126, order < -128:
		return false
	case order == 126:
		return digits == "1"
	}
	return true
}

// validateMessageAttributes checks user message attributes and returns them with their
// size in bytes (name, type and value of each, as SQS counts them toward the message size).
func validateMessageAttributes(in map[string]rawAttr) (map[string]attrValue, int, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	if len(in) > maxMessageAttributes {
		return nil, 0, errInvalidParameterValue(fmt.Sprintf("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttributes))
	}
	out := make(map[string]attrValue, len(in))
	size := 0
	for _, name := range sortedKeys(in) {
		a := in[name]
		if !validAttrName(name) {
			return nil, 0, errInvalidParameterValue(fmt.Sprintf("The message attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.", name))
		}
		v, err := validateAttrValue("Message (user) attribute", name, a)
		if err != nil {
			return nil, 0, err
		}
		out[name] = v
		size += len(name) + len(v.DataType) + len(v.StringValue) + len(v.BinaryValue)
	}
	return out, size, nil
}

// validateAttrValue checks one attribute value; what names the attribute in messages
// ("Message (user) attribute" or "Message system attribute").
func validateAttrValue(what, name string, a rawAttr) (attrValue, error) {
	if a.DataType == nil || *a.DataType == "" {
		return attrValue{}, errInvalidParameterValue(fmt.Sprintf("The message attribute '%s' must contain non-empty message attribute type.", name))
	}
	kind := attrTypeKind(*a.DataType)
	if kind == "" {
		return attrValue{}, errInvalidParameterValue(fmt.Sprintf("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name))
	}
	v := attrValue{DataType: *a.DataType}
	switch kind {
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return attrValue{}, errInvalidParameterValue(fmt.Sprintf("%s '%s' must contain a non-empty value of type 'Binary'.", what, name))
		}
		v.BinaryValue = a.BinaryValue
	default:
		if a.StringValue == nil || *a.StringValue == "" {
			return attrValue{}, errInvalidParameterValue(fmt.Sprintf("%s '%s' must contain a non-empty value of type '%s'.", what, name, kind))
		}
		if !validBodyChars(*a.StringValue) {
			return attrValue{}, errInvalidParameterValue(fmt.Sprintf("%s '%s' value contains invalid characters.", what, name))
		}
		if kind == "Number" && !validNumber(*a.StringValue) {
			return attrValue{}, errInvalidParameterValue(fmt.Sprintf("Could not cast message attribute '%s' value to number.", name))
		}
		v.StringValue = *a.StringValue
	}
	return v, nil
}

// attrTraceHeader is the one system attribute a sender may set.
const attrTraceHeader = "AWSTraceHeader"

// validateSystemAttributes checks MessageSystemAttributes of a send (model validation has
// already limited names to AWSTraceHeader) and returns them with their size.
func validateSystemAttributes(in map[string]rawAttr) (map[string]attrValue, int, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	out := make(map[string]attrValue, len(in))
	size := 0
	for _, name := range sortedKeys(in) {
		a := in[name]
		if name != attrTraceHeader {
			return nil, 0, errInvalidParameterValue(fmt.Sprintf("Message system attribute name '%s' is invalid.", name))
		}
		if a.DataType == nil || *a.DataType != "String" {
			return nil, 0, errInvalidParameterValue(fmt.Sprintf("Message system attribute '%s' must be of type 'String'.", name))
		}
		v, err := validateAttrValue("Message system attribute", name, a)
		if err != nil {
			return nil, 0, err
		}
		out[name] = v
		size += len(name) + len(v.DataType) + len(v.StringValue)
	}
	return out, size, nil
}

// selectAttributes returns the attributes whose names match one of patterns, the
// MessageAttributeNames of ReceiveMessage: "All", "*" or ".*" for everything, "prefix.*"
// for names that start with prefix, otherwise exact names.
func selectAttributes(attrs map[string]attrValue, patterns []string) map[string]attrValue {
	if len(attrs) == 0 || len(patterns) == 0 {
		return nil
	}
	out := make(map[string]attrValue)
	for name, v := range attrs {
		for _, p := range patterns {
			if attrNameMatches(name, p) {
				out[name] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// anyValidAttrPattern reports whether patterns holds a MessageAttributeNames entry AWS
// uses: a valid attribute name, or a pattern of attrNameMatches.
func anyValidAttrPattern(patterns []string) bool {
	for _, p := range patterns {
		if p == "All" || p == "*" || p == ".*" || validAttrName(strings.TrimSuffix(p, ".*")) {
			return true
		}
	}
	return false
}

// attrNameMatches reports whether a MessageAttributeNames pattern selects name. AWS
// answers every attribute for "*" as for "All" and ".*", and reads "prefix.*" as any name
// that starts with prefix ("Hel.*" selects "Hello" and "Help.Me").
func attrNameMatches(name, pattern string) bool {
	switch {
	case pattern == "All" || pattern == ".*" || pattern == "*":
		return true
	case strings.HasSuffix(pattern, ".*"):
		return strings.HasPrefix(name, strings.TrimSuffix(pattern, ".*"))
	}
	return name == pattern
}
