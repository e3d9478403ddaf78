package protocol

import (
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// bufPool holds output buffers so encoders do not allocate per response.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte {
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func putBuf(b *[]byte) {
	// Keep big buffers out of the pool so one large response does not pin memory.
	if cap(*b) <= 1<<20 {
		bufPool.Put(b)
	}
}

// writeBody answers status with body, setting Content-Type (unless empty) and
// Content-Length.
func writeBody(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}

// appendFloat writes a float the way AWS protocols spell numbers: no exponent for
// ordinary magnitudes, and the strings NaN, Infinity and -Infinity where JSON and XML
// have no literal.
func appendFloat(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	abs := math.Abs(f)
	fmtc := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	return strconv.AppendFloat(b, f, fmtc, -1, bits)
}

// parseFloatText reads a float, accepting the NaN and Infinity spellings.
func parseFloatText(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if strings.ContainsAny(s, "nNiI") { // ParseFloat also takes "inf", "nan"
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseFloat(s, bits)
}

// appendText writes a scalar value (not a list, map or structure) as text, for query
// parameters, XML elements, headers and labels. def is the timestamp format used when
// the member names none.
func appendText(b []byte, v reflect.Value, ti *typeInfo, ts, def tsFormat, millis bool) []byte {
	v = deref(v, ti)
	switch ti.kind {
	case kindString:
		return append(b, v.String()...)
	case kindBool:
		return strconv.AppendBool(b, v.Bool())
	case kindInt:
		if ti.uns {
			return strconv.AppendUint(b, v.Uint(), 10)
		}
		return strconv.AppendInt(b, v.Int(), 10)
	case kindFloat32:
		return appendFloat(b, v.Float(), 32)
	case kindFloat64:
		return appendFloat(b, v.Float(), 64)
	case kindTime:
		if ts == tsDefault {
			ts = def
		}
		return appendTime(b, timeOf(v), ts, millis)
	case kindBlob, kindDocument:
		return base64.StdEncoding.AppendEncode(b, v.Bytes())
	}
	return b
}

var errBadValue = errors.New("bad value")

// setText stores text s into a scalar member v of type ti (allocating the pointer).
// Blobs are base64 unless raw is set.
func setText(v reflect.Value, ti *typeInfo, s string, raw bool) error {
	switch ti.kind {
	case kindString:
		settable(v, ti).SetString(s)
	case kindBool:
		switch strings.TrimSpace(s) {
		case "true":
			settable(v, ti).SetBool(true)
		case "false":
			settable(v, ti).SetBool(false)
		default:
			return errBadValue
		}
	case kindInt:
		s = strings.TrimSpace(s)
		if ti.uns {
			n, err := strconv.ParseUint(s, 10, ti.bits)
			if err != nil {
				return errBadValue
			}
			settable(v, ti).SetUint(n)
			return nil
		}
		n, err := strconv.ParseInt(s, 10, ti.bits)
		if err != nil {
			return errBadValue
		}
		settable(v, ti).SetInt(n)
	case kindFloat32, kindFloat64:
		bits := 64
		if ti.kind == kindFloat32 {
			bits = 32
		}
		f, err := parseFloatText(strings.TrimSpace(s), bits)
		if err != nil {
			return errBadValue
		}
		settable(v, ti).SetFloat(f)
	case kindTime:
		t, err := parseTime(s)
		if err != nil {
			return errBadValue
		}
		settable(v, ti).Set(reflect.ValueOf(t))
	case kindBlob:
		var p []byte
		if raw {
			p = []byte(s)
		} else {
			var err error
			if p, err = decodeBase64(s); err != nil {
				return errBadValue
			}
		}
		settable(v, ti).SetBytes(p)
	case kindDocument:
		settable(v, ti).SetBytes([]byte(s))
	default:
		return errBadValue
	}
	return nil
}

// decodeBase64 accepts standard base64 with or without padding (clients differ).
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if p, err := base64.StdEncoding.DecodeString(s); err == nil {
		return p, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// isScalar reports whether values of ti are written as text.
func isScalar(ti *typeInfo) bool {
	switch ti.kind {
	case kindList, kindMap, kindStruct, kindStream, kindInvalid:
		return false
	}
	return true
}

// kindName names a kind in error messages the way AWS's coral messages do.
func kindName(ti *typeInfo) string {
	switch ti.kind {
	case kindString:
		return "String"
	case kindBool:
		return "Boolean"
	case kindInt:
		if ti.bits > 32 {
			return "Long"
		}
		return "Integer"
	case kindFloat32:
		return "Float"
	case kindFloat64:
		return "Double"
	case kindTime:
		return "Timestamp"
	case kindBlob:
		return "Blob"
	case kindList:
		return "List"
	case kindMap:
		return "Map"
	case kindStruct:
		return "Structure"
	}
	return "Value"
}
