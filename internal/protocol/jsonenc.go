package protocol

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSONStruct writes the members of structure v (not a pointer) as a JSON object.
// With bodyOnly, members bound to headers, the URI, the query string or the status code
// are left out (the top level of rest-json).
func appendJSONStruct(b []byte, v reflect.Value, si *structInfo, bodyOnly bool) []byte {
	b = append(b, '{')
	first := true
	for _, f := range si.fields {
		if bodyOnly && (f.loc != locBody || f.payload) {
			continue
		}
		fv := v.Field(f.index)
		if isEmpty(fv) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, f.name)
		b = append(b, ':')
		b = appendJSONValue(b, fv, f.t, f.ts)
	}
	return append(b, '}')
}

// appendJSONValue writes one value of type ti. ts is the member's timestamp format.
func appendJSONValue(b []byte, v reflect.Value, ti *typeInfo, ts tsFormat) []byte {
	if ti.ptr {
		if v.IsNil() {
			return append(b, "null"...)
		}
		v = v.Elem()
	}
	switch ti.kind {
	case kindString:
		return appendJSONString(b, v.String())
	case kindBool:
		return strconv.AppendBool(b, v.Bool())
	case kindInt:
		if ti.uns {
			return strconv.AppendUint(b, v.Uint(), 10)
		}
		return strconv.AppendInt(b, v.Int(), 10)
	case kindFloat32, kindFloat64:
		bits := 64
		if ti.kind == kindFloat32 {
			bits = 32
		}
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b = append(b, '"')
			b = appendFloat(b, f, bits)
			return append(b, '"')
		}
		return appendFloat(b, f, bits)
	case kindTime:
		return appendJSONTime(b, timeOf(v), ts)
	case kindBlob:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"')
	case kindDocument:
		if v.Len() == 0 {
			return append(b, "null"...)
		}
		return append(b, v.Bytes()...)
	case kindList:
		if v.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONValue(b, v.Index(i), ti.elem, ts)
		}
		return append(b, ']')
	case kindMap:
		if v.IsNil() {
			return append(b, "null"...)
		}
		b = append(b, '{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k.String())
			b = append(b, ':')
			b = appendJSONValue(b, v.MapIndex(k), ti.elem, ts)
		}
		return append(b, '}')
	case kindStruct:
		return appendJSONStruct(b, v, ti.st, false)
	}
	return append(b, "null"...)
}

func appendJSONTime(b []byte, t time.Time, ts tsFormat) []byte {
	switch ts {
	case tsISO:
		b = append(b, '"')
		b = appendISO(b, t, false)
		return append(b, '"')
	case tsHTTP:
		b = append(b, '"')
		b = appendHTTPDate(b, t)
		return append(b, '"')
	}
	return appendEpoch(b, t)
}

// sortedKeys returns the keys of a string-keyed map in order, so output is stable.
func sortedKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch as, bs := a.String(), b.String(); {
		case as < bs:
			return -1
		case as > bs:
			return 1
		}
		return 0
	})
	return keys
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as in
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONAny writes a value of an Error's Fields: a generated type, a scalar, or
// []any / map[string]any built by hand.
func appendJSONAny(b []byte, x any) []byte {
	switch x := x.(type) {
	case nil:
		return append(b, "null"...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONAny(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONAny(b, x[k])
		}
		return append(b, '}')
	}
	v := reflect.ValueOf(x)
	if ti := infoOf(v.Type()); ti.kind != kindInvalid && ti.kind != kindStream {
		if isEmpty(v) {
			return append(b, "null"...)
		}
		return appendJSONValue(b, v, ti, tsDefault)
	}
	p, err := json.Marshal(x)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, p...)
}
