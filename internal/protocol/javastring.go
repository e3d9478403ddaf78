package protocol

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JavaString renders a generated value the way AWS's validation messages quote it: AWS
// validates requests in Java and prints the offending value with its toString, so lists
// read "[a, b]", maps "{k=v, k2=v2}" and structures "ShapeName(member=value, other=null)"
// with lower-camel member names in model order. Absent values print as null, numbers as
// Java prints them ("2.0"), blobs as the ByteBuffer holding them and timestamps as
// java.util.Date does.
func JavaString(v any) string {
	var b strings.Builder
	writeJava(&b, reflect.ValueOf(v))
	return b.String()
}

func writeJava(b *strings.Builder, v reflect.Value) {
	if !v.IsValid() {
		b.WriteString("null")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		writeJava(b, v.Elem())
		return
	}
	switch v.Type() {
	case timeType:
		// java.util.Date.toString in the service's (UTC) zone.
		b.WriteString(v.Interface().(time.Time).UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
		return
	case documentType:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		b.Write(v.Bytes())
		return
	}
	switch v.Kind() {
	case reflect.String:
		b.WriteString(v.String())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32:
		b.WriteString(JavaDouble(v.Float(), 32))
	case reflect.Float64:
		b.WriteString(JavaDouble(v.Float(), 64))
	case reflect.Slice:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n := strconv.Itoa(v.Len())
			b.WriteString("java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]")
			return
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return
		}
		// The wire order of a map is lost in Go; sorted keys keep the rendering stable.
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeJava(b, k)
			b.WriteByte('=')
			writeJava(b, v.MapIndex(k))
		}
		b.WriteByte('}')
	case reflect.Struct:
		t := v.Type()
		b.WriteString(t.Name())
		b.WriteByte('(')
		first := true
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if !first {
				b.WriteString(", ")
			}
			first = false
			name := f.Tag.Get("model")
			if name == "" {
				name = f.Tag.Get("name")
			}
			if name == "" {
				name = f.Name
			}
			b.WriteString(strings.ToLower(name[:1]) + name[1:])
			b.WriteByte('=')
			writeJava(b, v.Field(i))
		}
		b.WriteByte(')')
	default:
		b.WriteString(v.String())
	}
}

// JavaDouble prints f as Java's Double.toString (Float.toString when bits is 32) does:
// at least one digit after the point ("2.0"), and computerized scientific notation
// ("1.0E7", "1.0E-4") outside [10^-3, 10^7).
func JavaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits) // 1E+07, 1.5E-04
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
