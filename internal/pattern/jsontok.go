package pattern

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// tokenKind is the kind of one JSON token of a pattern document.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokStartObject
	tokEndObject
	tokStartArray
	tokEndArray
	tokField
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
)

func (k tokenKind) isNumber() bool { return k == tokNumber }

// tokenizer is a streaming JSON reader for pattern documents. AWS compiles
// patterns with a Jackson streaming parser and reports errors with Jackson's
// location ("line: 1, column: 25"), so the tokenizer keeps Jackson's notion of
// the current position: a field name is read together with the first
// character of its value, a string value is only consumed when its text is
// read, and numbers and keywords are consumed whole.
type tokenizer struct {
	src []byte
	pos int // index of the next unread byte

	stack []frame

	cur      tokenKind
	buffered tokenKind // value token that followed the current field name
	bufText  string
	hasBuf   bool
	// incomplete is set while the current token is a string whose text has
	// not been read yet; pos is then just after the opening quote.
	incomplete bool
	text       string // field name, number literal or (once read) string text
}

type frame struct {
	object  bool
	entries int // values (or fields) read so far
	start   int // offset of the opening bracket
}

// syntaxError is a malformed-JSON or rejected-pattern error raised while
// reading, carrying Jackson's location.
type syntaxError struct {
	reason   string
	location string
}

func (e *syntaxError) Error() string { return e.reason + e.location }

func newTokenizer(src []byte) *tokenizer { return &tokenizer{src: src} }

// fail builds an error at the tokenizer's current position.
func (t *tokenizer) fail(reason string) *syntaxError {
	return &syntaxError{reason: reason, location: "\n at " + t.locationAt(t.pos)}
}

// locationAt renders Jackson's location for a byte offset:
// [Source: (String)"..."; line: 1, column: 5].
func (t *tokenizer) locationAt(off int) string {
	line, col := 1, 1
	for i := 0; i < off && i < len(t.src); {
		r, size := utf8.DecodeRune(t.src[i:])
		if r == '\n' {
			line++
			col = 1
		} else {
			col += utf16.RuneLen(max(r, 0)) // Jackson counts UTF-16 units
			if r == utf8.RuneError && size == 1 {
				col = col - utf16.RuneLen(r) + 1
			}
		}
		i += size
	}
	return "[Source: " + t.sourceDescription() + "; line: " + strconv.Itoa(line) + ", column: " + strconv.Itoa(col) + "]"
}

// sourceDescription mirrors Jackson's rendering of a String source, which
// shows at most 500 characters of the document.
func (t *tokenizer) sourceDescription() string {
	const maxChars = 500
	s := string(t.src)
	n := utf8.RuneCountInString(s)
	if n <= maxChars {
		return `(String)"` + s + `"`
	}
	cut := 0
	for i := 0; i < maxChars; i++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return `(String)"` + s[:cut] + `"[truncated ` + strconv.Itoa(n-maxChars) + ` chars]`
}

func (t *tokenizer) skipSpace() {
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

// describeChar renders a character the way Jackson's error messages do.
func describeChar(r rune) string {
	if r < 0x20 {
		return fmt.Sprintf("(CTRL-CHAR, code %d)", r)
	}
	if r > 0x7e {
		return fmt.Sprintf("'%c' (code %d / 0x%x)", r, r, r)
	}
	return fmt.Sprintf("'%c' (code %d)", r, r)
}

// nextRune consumes one character for an error message.
func (t *tokenizer) nextRune() rune {
	r, size := utf8.DecodeRune(t.src[t.pos:])
	t.pos += size
	return r
}

func (t *tokenizer) unexpected(what string) *syntaxError {
	r := t.nextRune()
	return t.fail("Unexpected character (" + describeChar(r) + "): " + what)
}

func (t *tokenizer) eofIn(f frame) *syntaxError {
	kind := "Array"
	if f.object {
		kind = "Object"
	}
	return t.fail("Unexpected end-of-input: expected close marker for " + kind + " (start marker at " + t.locationAt(f.start) + ")")
}

// next advances to the next token.
func (t *tokenizer) next() (tokenKind, error) {
	if t.cur == tokField && t.hasBuf {
		t.cur, t.hasBuf = t.buffered, false
		t.text = t.bufText
		return t.cur, nil
	}
	if t.incomplete {
		if _, err := t.finishString(); err != nil {
			return tokEOF, err
		}
	}
	t.skipSpace()
	if t.pos >= len(t.src) {
		if len(t.stack) > 0 {
			return tokEOF, t.eofIn(t.stack[len(t.stack)-1])
		}
		t.cur = tokEOF
		return tokEOF, nil
	}
	c := t.src[t.pos]
	if len(t.stack) == 0 {
		if t.cur != tokEOF {
			// Trailing content after the root value is never read: the
			// pattern compiler stops at the end of the root object.
			t.cur = tokEOF
			return tokEOF, nil
		}
		k, err := t.startValue()
		t.cur = k
		return k, err
	}
	top := &t.stack[len(t.stack)-1]
	if c == '}' || c == ']' {
		if (c == '}') != top.object {
			want := "']'"
			kind := "Array"
			if top.object {
				want, kind = "'}'", "Object"
			}
			t.pos++
			return tokEOF, t.fail("Unexpected close marker '" + string(c) + "': expected " + want + " (for " + kind + " starting at " + t.locationAt(top.start) + ")")
		}
		t.pos++
		t.stack = t.stack[:len(t.stack)-1]
		if c == '}' {
			t.cur = tokEndObject
		} else {
			t.cur = tokEndArray
		}
		return t.cur, nil
	}
	if top.entries > 0 {
		if c != ',' {
			if top.object {
				return tokEOF, t.unexpected("was expecting comma to separate Object entries")
			}
			return tokEOF, t.unexpected("was expecting comma to separate Array entries")
		}
		t.pos++
		t.skipSpace()
		if t.pos >= len(t.src) {
			return tokEOF, t.eofIn(*top)
		}
	}
	top.entries++
	if !top.object {
		k, err := t.startValue()
		t.cur = k
		return k, err
	}
	if t.src[t.pos] != '"' {
		// AWS reports this one at the character itself, not after it:
		// {'bad': 'quotation'} fails at column 2.
		r, _ := utf8.DecodeRune(t.src[t.pos:])
		return tokEOF, t.fail("Unexpected character (" + describeChar(r) + "): was expecting double-quote to start field name")
	}
	t.pos++
	name, err := t.readString()
	if err != nil {
		return tokEOF, err
	}
	t.skipSpace()
	if t.pos >= len(t.src) {
		return tokEOF, t.eofIn(*top)
	}
	if t.src[t.pos] != ':' {
		return tokEOF, t.unexpected("was expecting a colon to separate field name and value")
	}
	t.pos++
	t.skipSpace()
	if t.pos >= len(t.src) {
		return tokEOF, t.fail("Unexpected end-of-input: expected a value")
	}
	fieldText := name
	k, err := t.startValue()
	if err != nil {
		return tokEOF, err
	}
	t.buffered, t.bufText, t.hasBuf = k, t.text, true
	t.cur = tokField
	t.text = fieldText
	return tokField, nil
}

// startValue reads the first character of a value: containers are opened,
// strings are left incomplete, numbers and keywords are consumed whole.
func (t *tokenizer) startValue() (tokenKind, error) {
	c := t.src[t.pos]
	switch {
	case c == '{' || c == '[':
		t.stack = append(t.stack, frame{object: c == '{', start: t.pos})
		t.pos++
		if c == '{' {
			return tokStartObject, nil
		}
		return tokStartArray, nil
	case c == '"':
		t.pos++
		t.incomplete = true
		t.text = ""
		return tokString, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return tokNumber, t.readNumber()
	case c == 't':
		return tokTrue, t.readKeyword("true")
	case c == 'f':
		return tokFalse, t.readKeyword("false")
	case c == 'n':
		return tokNull, t.readKeyword("null")
	case c == ']' || c == '}':
		return tokEOF, t.unexpected("expected a value")
	}
	if isTokenChar(c) {
		return tokEOF, t.unrecognizedToken(t.pos)
	}
	return tokEOF, t.unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func (t *tokenizer) unrecognizedToken(start int) *syntaxError {
	end := start
	for end < len(t.src) && isTokenChar(t.src[end]) && end-start < 256 {
		end++
	}
	t.pos = end
	return t.fail("Unrecognized token '" + string(t.src[start:end]) + "': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
}

func (t *tokenizer) readKeyword(word string) error {
	start := t.pos
	if !strings.HasPrefix(string(t.src[t.pos:min(len(t.src), t.pos+len(word))]), word) ||
		(t.pos+len(word) < len(t.src) && isTokenChar(t.src[t.pos+len(word)])) {
		return t.unrecognizedToken(start)
	}
	t.pos += len(word)
	t.text = word
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (t *tokenizer) readNumber() error {
	start := t.pos
	if t.src[t.pos] == '-' {
		t.pos++
		if t.pos >= len(t.src) {
			return t.fail("Unexpected end-of-input in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value")
		}
		if !isDigit(t.src[t.pos]) {
			return t.fail("Unexpected character (" + describeChar(t.nextRune()) + ") in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value")
		}
	}
	if t.src[t.pos] == '0' && t.pos+1 < len(t.src) && isDigit(t.src[t.pos+1]) {
		t.pos++
		return t.fail("Invalid numeric value: Leading zeroes not allowed")
	}
	for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
		t.pos++
	}
	if t.pos < len(t.src) && t.src[t.pos] == '.' {
		t.pos++
		if t.pos >= len(t.src) {
			return t.fail("Unexpected end-of-input in numeric value: Decimal point not followed by a digit")
		}
		if !isDigit(t.src[t.pos]) {
			return t.fail("Unexpected character (" + describeChar(t.nextRune()) + ") in numeric value: Decimal point not followed by a digit")
		}
		for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
			t.pos++
		}
	}
	if t.pos < len(t.src) && (t.src[t.pos] == 'e' || t.src[t.pos] == 'E') {
		t.pos++
		if t.pos < len(t.src) && (t.src[t.pos] == '+' || t.src[t.pos] == '-') {
			t.pos++
		}
		if t.pos >= len(t.src) {
			return t.fail("Unexpected end-of-input in numeric value: Exponent indicator not followed by a digit")
		}
		if !isDigit(t.src[t.pos]) {
			return t.fail("Unexpected character (" + describeChar(t.nextRune()) + ") in numeric value: Exponent indicator not followed by a digit")
		}
		for t.pos < len(t.src) && isDigit(t.src[t.pos]) {
			t.pos++
		}
	}
	t.text = string(t.src[start:t.pos])
	return nil
}

// finishString reads the rest of an incomplete string token.
func (t *tokenizer) finishString() (string, error) {
	if !t.incomplete {
		return t.text, nil
	}
	s, err := t.readString()
	if err != nil {
		return "", err
	}
	t.incomplete = false
	t.text = s
	return s, nil
}

// readString reads string content up to and including the closing quote;
// pos is just after the opening quote.
func (t *tokenizer) readString() (string, error) {
	start := t.pos
	var b []byte
	escaped := false
	for {
		if t.pos >= len(t.src) {
			return "", t.fail("Unexpected end-of-input: was expecting closing quote for a string value")
		}
		c := t.src[t.pos]
		switch {
		case c == '"':
			t.pos++
			if !escaped {
				return string(t.src[start : t.pos-1]), nil
			}
			return string(b), nil
		case c == '\\':
			if !escaped {
				b = append(b, t.src[start:t.pos]...)
				escaped = true
			}
			t.pos++
			if t.pos >= len(t.src) {
				return "", t.fail("Unexpected end-of-input in character escape sequence")
			}
			e := t.src[t.pos]
			t.pos++
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
				r, err := t.readHex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) && t.pos+1 < len(t.src) && t.src[t.pos] == '\\' && t.src[t.pos+1] == 'u' {
					save := t.pos
					t.pos += 2
					if r2, err := t.readHex4(); err == nil && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
					} else {
						t.pos = save
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				t.pos--
				return "", t.fail("Unrecognized character escape " + describeChar(t.nextRune()))
			}
			continue
		case c < 0x20:
			t.pos++
			return "", t.fail("Illegal unquoted character (" + describeChar(rune(c)) + "): has to be escaped using backslash to be included in string value")
		}
		if escaped {
			b = append(b, c)
		}
		t.pos++
	}
}

func (t *tokenizer) readHex4() (rune, error) {
	var r rune
	for i := 0; i < 4; i++ {
		if t.pos >= len(t.src) {
			return 0, t.fail("Unexpected end-of-input in character escape sequence")
		}
		c := t.src[t.pos]
		t.pos++
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			t.pos--
			return 0, t.fail("Unexpected character (" + describeChar(t.nextRune()) + "): expected a hex-digit for character escape sequence")
		}
		r = r<<4 | rune(v)
	}
	return r, nil
}
