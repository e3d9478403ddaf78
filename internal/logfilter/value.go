package logfilter

import (
	"regexp"
	"strconv"
	"strings"
)

// op is a comparison operator.
type op int

const (
	opEq op = iota
	opNe
	opLt
	opGt
	opLe
	opGe
)

// readOp reads a comparison operator at s[i]. "=!" (w1=!ERROR in the User Guide) reads as
// !=.
func readOp(s string, i int) (op, int, bool) {
	two := ""
	if i+1 < len(s) {
		two = s[i : i+2]
	}
	switch two {
	case "!=", "=!":
		return opNe, i + 2, true
	case "<=":
		return opLe, i + 2, true
	case ">=":
		return opGe, i + 2, true
	}
	if i < len(s) {
		switch s[i] {
		case '=':
			return opEq, i + 1, true
		case '<':
			return opLt, i + 1, true
		case '>':
			return opGt, i + 1, true
		}
	}
	return 0, i, false
}

// literal is the right-hand side of a comparison.
type literal struct {
	// text is the literal as written (unquoted and unescaped), without wildcards.
	text string
	// any is true for a lone '*': any string, number or boolean.
	any bool
	// prefix and suffix are true when a leading or trailing '*' matches any text.
	prefix, suffix bool
	// num is the literal's value when it is a number and isNum.
	num   float64
	isNum bool
	// re is the regular expression of a %regex% literal.
	re *regexp.Regexp
}

// readLiteral reads a value at s[i]: a quoted string, a %regex%, or a bare run of
// characters up to a blank or one of stop.
func readLiteral(s string, i int, stop string) (*literal, int, error) {
	if i >= len(s) {
		return nil, i, errSyntax
	}
	switch s[i] {
	case '"':
		text, next, ok := readQuoted(s, i)
		if !ok {
			return nil, i, errSyntax
		}
		return stringLiteral(text), next, nil
	case '%':
		end := strings.IndexByte(s[i+1:], '%')
		if end < 0 {
			return nil, i, errSyntax
		}
		re, err := compileRegex(s[i+1 : i+1+end])
		if err != nil {
			return nil, i, err
		}
		return &literal{text: s[i : i+end+2], re: re}, i + end + 2, nil
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && !strings.ContainsRune(stop, rune(s[j])) {
		if (s[j] == '&' || s[j] == '|') && j+1 < len(s) && s[j+1] == s[j] {
			break
		}
		j++
	}
	if j == i {
		return nil, i, errSyntax
	}
	word := s[i:j]
	if strings.ContainsAny(word, `"%`) {
		return nil, i, errSyntax
	}
	if n, ok := parseNumber(word); ok {
		return &literal{text: word, num: n, isNum: true}, j, nil
	}
	return stringLiteral(word), j, nil
}

// stringLiteral applies wildcard rules: '*' at the start or end matches any text; a '*'
// elsewhere is itself (the User Guide: "Ev*ent will only match the actual string Ev*ent").
func stringLiteral(text string) *literal {
	if text == "*" {
		return &literal{text: text, any: true}
	}
	l := &literal{}
	if strings.HasPrefix(text, "*") {
		l.prefix = true
		text = text[1:]
	}
	if strings.HasSuffix(text, "*") {
		l.suffix = true
		text = text[:len(text)-1]
	}
	l.text = text
	return l
}

// parseNumber reads an integer, decimal or scientific number with an optional sign.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "" || !(body[0] >= '0' && body[0] <= '9' || body[0] == '.') {
		return 0, false
	}
	for k := 0; k < len(body); k++ {
		c := body[k]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, false
		}
	}
	n, err := strconv.ParseFloat(strings.TrimPrefix(s, "+"), 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// matchString compares a string with the literal for = (wildcards and regex apply).
func (l *literal) matchString(v string) bool {
	switch {
	case l.any:
		return true
	case l.re != nil:
		return l.re.MatchString(v)
	case l.prefix && l.suffix:
		return strings.Contains(v, l.text)
	case l.prefix:
		return strings.HasSuffix(v, l.text)
	case l.suffix:
		return strings.HasPrefix(v, l.text)
	}
	return v == l.text
}

// compare evaluates `v op l` where v is a value read from a message: its text and, when
// it is numeric, its number. Relational operators need numbers on both sides.
func (l *literal) compare(o op, text string, num float64, isNum bool) bool {
	switch o {
	case opEq, opNe:
		eq := false
		if l.isNum && isNum {
			eq = num == l.num
		} else {
			eq = l.matchString(text)
		}
		return eq == (o == opEq)
	}
	if !l.isNum || !isNum {
		return false
	}
	switch o {
	case opLt:
		return num < l.num
	case opGt:
		return num > l.num
	case opLe:
		return num <= l.num
	default:
		return num >= l.num
	}
}

// skipSpace returns the index of the first non-blank at or after i.
func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}
