package logfilter

import (
	"regexp"
	"strings"
)

// Pattern is a compiled filter pattern. It is safe for concurrent use.
type Pattern struct {
	src string
	m   matcher
}

// matcher is one compiled form of pattern.
type matcher interface {
	match(msg string) bool
}

// SyntaxError reports a filter pattern that cannot be compiled.
type SyntaxError struct {
	// Term is the offending term of a terms pattern when a term holds characters that
	// must be quoted; "" for other mistakes.
	Term string
}

// Error returns the message CloudWatch Logs answers an invalid pattern with.
func (e *SyntaxError) Error() string {
	if e.Term != "" {
		return "Invalid filter pattern: Invalid character(s) in term '" + e.Term + "'"
	}
	return "Invalid filter pattern"
}

// errSyntax is the generic syntax error.
var errSyntax = &SyntaxError{}

// MaxLen is the longest filter pattern CloudWatch Logs accepts, in characters.
const MaxLen = 1024

// Compile parses a filter pattern. An empty pattern matches every message.
func Compile(src string) (*Pattern, error) {
	s := strings.TrimSpace(src)
	var (
		m   matcher
		err error
	)
	switch {
	case s == "":
		m = matchAll{}
	case s[0] == '{':
		m, err = compileJSON(s)
	case s[0] == '[':
		m, err = compileSpaced(s)
	default:
		m, err = compileTerms(s)
	}
	if err != nil {
		return nil, err
	}
	return &Pattern{src: src, m: m}, nil
}

// MustCompile is Compile that panics on error, for patterns known to be valid.
func MustCompile(src string) *Pattern {
	p, err := Compile(src)
	if err != nil {
		panic("logfilter: " + err.Error() + ": " + src)
	}
	return p
}

// String returns the pattern as given to Compile.
func (p *Pattern) String() string { return p.src }

// Match reports whether message matches the pattern.
func (p *Pattern) Match(message string) bool { return p.m.match(message) }

// MatchAll reports whether the pattern matches every message (it is empty or blank).
func (p *Pattern) MatchAll() bool {
	_, ok := p.m.(matchAll)
	return ok
}

type matchAll struct{}

func (matchAll) match(string) bool { return true }

// compileRegex compiles the body of a %regex% term or value. CloudWatch Logs accepts a
// subset of regular expressions without groups; parentheses are rejected as AWS
// rejects them.
func compileRegex(body string) (*regexp.Regexp, error) {
	if body == "" || strings.ContainsAny(body, "()") {
		return nil, errSyntax
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return nil, errSyntax
	}
	return re, nil
}

// isSpace reports the blanks that separate terms and fields.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isWordByte reports the characters a term may hold without quotes.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// readQuoted reads a double-quoted string starting at s[i] == '"'. A backslash escapes
// the next character. It returns the unescaped text and the index after the closing
// quote, or ok false when the quote is not closed.
func readQuoted(s string, i int) (text string, next int, ok bool) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		case '"':
			return b.String(), j + 1, true
		default:
			b.WriteByte(c)
		}
	}
	return "", len(s), false
}
