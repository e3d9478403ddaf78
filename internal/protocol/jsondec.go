package protocol

import (
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting bounds how deep request documents may nest, so hostile input cannot make
// the decoders recurse without limit.
const maxNesting = 128

// jsonDecoder reads a JSON request body straight into generated types. Unknown members
// are skipped; a value of the wrong JSON type is a SerializationException, the way
// AWS's JSON services answer it.
type jsonDecoder struct {
	data  []byte
	pos   int
	depth int
}

// decodeJSONBody fills the structure v (not a pointer) from data. An empty body decodes
// as {}. With bodyOnly, members bound elsewhere (rest-json) are not read from the body.
func decodeJSONBody(data []byte, v reflect.Value, si *structInfo, bodyOnly bool) *Error {
	d := jsonDecoder{data: data}
	d.ws()
	if d.pos == len(d.data) {
		return nil
	}
	if d.data[d.pos] == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
	} else if err := d.object(v, si, bodyOnly); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.syntax()
	}
	return nil
}

// decodeJSONValue fills v (of type ti) from data holding one JSON value (a rest-json
// payload that is not a structure, e.g. a document).
func decodeJSONValue(data []byte, v reflect.Value, ti *typeInfo) *Error {
	d := jsonDecoder{data: data}
	d.ws()
	if err := d.value(v, ti, tsDefault); err != nil {
		return err
	}
	d.ws()
	if d.pos != len(d.data) {
		return d.syntax()
	}
	return nil
}

func (d *jsonDecoder) syntax() *Error {
	if d.pos >= len(d.data) {
		return SerializationException("Unexpected end of JSON input")
	}
	return SerializationException("Unexpected character (" + strconv.QuoteRune(rune(d.data[d.pos])) + ") at offset " + strconv.Itoa(d.pos))
}

func (d *jsonDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *jsonDecoder) expect(c byte) *Error {
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return nil
	}
	return d.syntax()
}

func (d *jsonDecoder) literal(lit string) *Error {
	if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
		d.pos += len(lit)
		return nil
	}
	return d.syntax()
}

func (d *jsonDecoder) enter() *Error {
	d.depth++
	if d.depth > maxNesting {
		return SerializationException("JSON nesting is too deep")
	}
	return nil
}

// object reads a JSON object into structure v.
func (d *jsonDecoder) object(v reflect.Value, si *structInfo, bodyOnly bool) *Error {
	if d.peek() != '{' {
		return d.mismatch("Structure")
	}
	d.pos++
	if err := d.enter(); err != nil {
		return err
	}
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.ws()
		raw, escaped, err := d.rawString()
		if err != nil {
			return err
		}
		var f *fieldInfo
		if escaped {
			f = si.byJSON[unescapeJSON(raw)]
		} else {
			f = si.byJSON[string(raw)]
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		d.ws()
		if f == nil || bodyOnly && (f.loc != locBody || f.payload) {
			err = d.skip()
		} else {
			err = d.value(v.Field(f.index), f.t, f.ts)
		}
		if err != nil {
			return err
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntax()
		}
	}
}

// value reads one JSON value into v, a member of type ti. null leaves v as it is.
func (d *jsonDecoder) value(v reflect.Value, ti *typeInfo, ts tsFormat) *Error {
	c := d.peek()
	if c == 'n' {
		return d.literal("null")
	}
	switch ti.kind {
	case kindString:
		if c != '"' {
			return d.mismatch("String")
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		settable(v, ti).SetString(s)
	case kindBool:
		switch c {
		case 't':
			if err := d.literal("true"); err != nil {
				return err
			}
			settable(v, ti).SetBool(true)
		case 'f':
			if err := d.literal("false"); err != nil {
				return err
			}
			settable(v, ti).SetBool(false)
		default:
			return d.mismatch("Boolean")
		}
	case kindInt:
		if c != '-' && (c < '0' || c > '9') {
			return d.mismatch(kindName(ti))
		}
		num, err := d.number()
		if err != nil {
			return err
		}
		if err := setJSONInt(settable(v, ti), ti, num); err != nil {
			return err
		}
	case kindFloat32, kindFloat64:
		bits := 64
		if ti.kind == kindFloat32 {
			bits = 32
		}
		var f float64
		switch {
		case c == '"':
			s, err := d.str()
			if err != nil {
				return err
			}
			if s != "NaN" && s != "Infinity" && s != "-Infinity" {
				return SerializationException("STRING_VALUE can not be converted to " + withArticle(kindName(ti)))
			}
			f, _ = parseFloatText(s, bits)
		case c == '-' || c >= '0' && c <= '9':
			num, err := d.number()
			if err != nil {
				return err
			}
			var perr error
			if f, perr = strconv.ParseFloat(num, bits); perr != nil {
				return SerializationException("Number " + num + " is out of range for " + withArticle(kindName(ti)))
			}
		default:
			return d.mismatch(kindName(ti))
		}
		settable(v, ti).SetFloat(f)
	case kindTime:
		switch {
		case c == '-' || c >= '0' && c <= '9':
			num, err := d.number()
			if err != nil {
				return err
			}
			t, ok := parseEpochText(num)
			if !ok {
				return SerializationException("Number " + num + " is not a valid epoch timestamp")
			}
			settable(v, ti).Set(reflect.ValueOf(t))
		case c == '"':
			s, err := d.str()
			if err != nil {
				return err
			}
			t, perr := parseTime(s)
			if perr != nil {
				return SerializationException("Unable to parse timestamp " + strconv.Quote(s))
			}
			settable(v, ti).Set(reflect.ValueOf(t))
		default:
			return d.mismatch("Timestamp")
		}
	case kindBlob:
		if c != '"' {
			return d.mismatch("Blob")
		}
		s, err := d.str()
		if err != nil {
			return err
		}
		p, perr := decodeBase64(s)
		if perr != nil {
			return SerializationException("Base64 encoded value is not valid: " + strconv.Quote(truncate(s, 64)))
		}
		settable(v, ti).SetBytes(p)
	case kindDocument:
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		settable(v, ti).SetBytes(append([]byte(nil), d.data[start:d.pos]...))
	case kindList:
		return d.list(v, ti, ts)
	case kindMap:
		return d.jsonMap(v, ti, ts)
	case kindStruct:
		if c != '{' {
			return d.mismatch("Structure")
		}
		return d.object(settable(v, ti), ti.st, false)
	default:
		return d.skip()
	}
	return nil
}

func (d *jsonDecoder) list(v reflect.Value, ti *typeInfo, ts tsFormat) *Error {
	if d.peek() != '[' {
		return d.mismatch("List")
	}
	d.pos++
	if err := d.enter(); err != nil {
		return err
	}
	s := reflect.MakeSlice(ti.base, 0, 4)
	d.ws()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		v.Set(s)
		return nil
	}
	et := ti.base.Elem()
	for {
		d.ws()
		if d.peek() == 'n' {
			// Dense lists drop nulls, as the SDKs do on their side.
			if err := d.literal("null"); err != nil {
				return err
			}
		} else {
			e := reflect.New(et).Elem()
			if err := d.value(e, ti.elem, ts); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			v.Set(s)
			return nil
		default:
			return d.syntax()
		}
	}
}

func (d *jsonDecoder) jsonMap(v reflect.Value, ti *typeInfo, ts tsFormat) *Error {
	if d.peek() != '{' {
		return d.mismatch("Map")
	}
	d.pos++
	if err := d.enter(); err != nil {
		return err
	}
	m := reflect.MakeMap(ti.base)
	d.ws()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		v.Set(m)
		return nil
	}
	kt, et := ti.base.Key(), ti.base.Elem()
	for {
		d.ws()
		k, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		d.ws()
		if d.peek() == 'n' {
			if err := d.literal("null"); err != nil {
				return err
			}
		} else {
			e := reflect.New(et).Elem()
			if err := d.value(e, ti.elem, ts); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(kt), e)
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			v.Set(m)
			return nil
		default:
			return d.syntax()
		}
	}
}

// mismatch reports a value of the wrong JSON type where want was modeled.
func (d *jsonDecoder) mismatch(want string) *Error {
	var found string
	switch d.peek() {
	case '{':
		return SerializationException("Start of structure or map found where not expected.")
	case '[':
		return SerializationException("Start of list found where not expected")
	case '"':
		found = "STRING_VALUE"
	case 't', 'f':
		found = "BOOLEAN_VALUE"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		found = "NUMBER_VALUE"
	default:
		return d.syntax()
	}
	return SerializationException(found + " can not be converted to " + withArticle(want))
}

// number scans a JSON number and returns its text.
func (d *jsonDecoder) number() (string, *Error) {
	start := d.pos
	p := d.pos
	if p < len(d.data) && d.data[p] == '-' {
		p++
	}
	digits := func() int {
		n := 0
		for p < len(d.data) && d.data[p] >= '0' && d.data[p] <= '9' {
			p++
			n++
		}
		return n
	}
	if digits() == 0 {
		d.pos = p
		return "", d.syntax()
	}
	if p < len(d.data) && d.data[p] == '.' {
		p++
		if digits() == 0 {
			d.pos = p
			return "", d.syntax()
		}
	}
	if p < len(d.data) && (d.data[p] == 'e' || d.data[p] == 'E') {
		p++
		if p < len(d.data) && (d.data[p] == '+' || d.data[p] == '-') {
			p++
		}
		if digits() == 0 {
			d.pos = p
			return "", d.syntax()
		}
	}
	d.pos = p
	return string(d.data[start:p]), nil
}

// setJSONInt stores a JSON number into an integer member. Integral values written with
// a fraction or exponent (5.0, 1e3) are accepted.
func setJSONInt(v reflect.Value, ti *typeInfo, num string) *Error {
	if ti.uns {
		if n, err := strconv.ParseUint(num, 10, ti.bits); err == nil {
			v.SetUint(n)
			return nil
		}
	} else if n, err := strconv.ParseInt(num, 10, ti.bits); err == nil {
		v.SetInt(n)
		return nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err == nil && f == float64(int64(f)) {
		if ti.uns && f >= 0 && uint64(f) <= maxUint(ti.bits) {
			v.SetUint(uint64(f))
			return nil
		}
		if !ti.uns && int64(f) >= minInt(ti.bits) && int64(f) <= maxInt(ti.bits) {
			v.SetInt(int64(f))
			return nil
		}
	}
	return SerializationException("Number " + num + " can not be converted to " + withArticle(kindName(ti)))
}

func maxInt(bits int) int64   { return 1<<(bits-1) - 1 }
func minInt(bits int) int64   { return -1 << (bits - 1) }
func maxUint(bits int) uint64 { return 1<<bits - 1 }

// rawString scans a JSON string and returns its content between the quotes, and
// whether it holds escapes that must be undone.
func (d *jsonDecoder) rawString() ([]byte, bool, *Error) {
	if d.peek() != '"' {
		return nil, false, d.syntax()
	}
	p := d.pos + 1
	escaped := false
	for p < len(d.data) {
		c := d.data[p]
		switch {
		case c == '"':
			raw := d.data[d.pos+1 : p]
			d.pos = p + 1
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			p += 2
		case c < 0x20:
			d.pos = p
			return nil, false, SerializationException("Illegal unquoted character in JSON string at offset " + strconv.Itoa(p))
		default:
			p++
		}
	}
	d.pos = len(d.data)
	return nil, false, d.syntax()
}

// str reads a JSON string value.
func (d *jsonDecoder) str() (string, *Error) {
	start := d.pos
	raw, escaped, err := d.rawString()
	if err != nil {
		return "", err
	}
	if !escaped {
		if !utf8.Valid(raw) {
			return string([]rune(string(raw))), nil
		}
		return string(raw), nil
	}
	s, ok := unescapeJSONStrict(raw)
	if !ok {
		d.pos = start
		return "", SerializationException("Invalid escape sequence in JSON string at offset " + strconv.Itoa(start))
	}
	return s, nil
}

// unescapeJSON undoes escapes, replacing invalid ones.
func unescapeJSON(raw []byte) string {
	s, _ := unescapeJSONStrict(raw)
	return s
}

func unescapeJSONStrict(raw []byte) (string, bool) {
	b := make([]byte, 0, len(raw))
	ok := true
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return string(b), false
		}
		e := raw[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n := hex4(raw[i:])
			if n == 0 {
				ok = false
				r = utf8.RuneError
			}
			i += n
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if len(raw)-i >= 6 && raw[i] == '\\' && raw[i+1] == 'u' {
					if x, m := hex4(raw[i+2:]); m == 4 {
						if dec := utf16.DecodeRune(r, x); dec != utf8.RuneError {
							r2 = dec
							i += 6
						}
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default:
			ok = false
		}
	}
	if !utf8.Valid(b) {
		return string([]rune(string(b))), ok
	}
	return string(b), ok
}

func hex4(p []byte) (rune, int) {
	if len(p) < 4 {
		return 0, 0
	}
	var r rune
	for _, c := range p[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, 0
		}
	}
	return r, 4
}

// skip passes over one JSON value of any type, checking its syntax.
func (d *jsonDecoder) skip() *Error {
	d.ws()
	switch c := d.peek(); {
	case c == '"':
		_, _, err := d.rawString()
		return err
	case c == '{':
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		d.ws()
		if d.peek() == '}' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			d.ws()
			if _, _, err := d.rawString(); err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			if err := d.skip(); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
			case '}':
				d.pos++
				d.depth--
				return nil
			default:
				return d.syntax()
			}
		}
	case c == '[':
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		d.ws()
		if d.peek() == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			if err := d.skip(); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.pos++
			case ']':
				d.pos++
				d.depth--
				return nil
			default:
				return d.syntax()
			}
		}
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	}
	return d.syntax()
}

// withArticle prefixes a type name with "a" or "an".
func withArticle(name string) string {
	if name != "" && (name[0] == 'I' || name[0] == 'A' || name[0] == 'E' || name[0] == 'O' || name[0] == 'U') {
		return "an " + name
	}
	return "a " + name
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
