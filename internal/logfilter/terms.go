package logfilter

import (
	"regexp"
	"strings"
)

// termKind says how a term takes part in a terms pattern.
type termKind int

const (
	termRequired termKind = iota // must occur
	termOptional                 // ?term: at least one optional term must occur
	termExcluded                 // -term: must not occur
)

// term is one word, phrase or regular expression of a terms pattern.
type term struct {
	kind termKind
	text string
	re   *regexp.Regexp
}

func (t *term) in(msg string) bool {
	if t.re != nil {
		return t.re.MatchString(msg)
	}
	return strings.Contains(msg, t.text)
}

// termsMatcher matches a terms pattern.
type termsMatcher struct {
	terms       []term
	hasOptional bool
}

func (m *termsMatcher) match(msg string) bool {
	anyOptional := false
	for i := range m.terms {
		t := &m.terms[i]
		switch t.kind {
		case termRequired:
			if !t.in(msg) {
				return false
			}
		case termExcluded:
			if t.in(msg) {
				return false
			}
		case termOptional:
			if !anyOptional && t.in(msg) {
				anyOptional = true
			}
		}
	}
	return anyOptional || !m.hasOptional
}

// compileTerms parses a pattern of space-separated terms.
func compileTerms(s string) (matcher, error) {
	m := &termsMatcher{}
	blankPhrase := false
	i := 0
	for i < len(s) {
		if isSpace(s[i]) {
			i++
			continue
		}
		kind := termRequired
		switch s[i] {
		case '?':
			kind = termOptional
			i++
		case '-':
			kind = termExcluded
			i++
			// The User Guide writes exclusions both as -"term" and as - "term".
			for i < len(s) && isSpace(s[i]) {
				i++
			}
		}
		if i >= len(s) || isSpace(s[i]) {
			return nil, errSyntax
		}
		t := term{kind: kind}
		switch s[i] {
		case '"':
			text, next, ok := readQuoted(s, i)
			if !ok {
				return nil, errSyntax
			}
			if text == "" {
				return nil, &SyntaxError{Term: `""`}
			}
			if strings.TrimSpace(text) == "" {
				blankPhrase = true
			}
			t.text, i = text, next
		case '%':
			end := strings.IndexByte(s[i+1:], '%')
			if end < 0 {
				return nil, errSyntax
			}
			re, err := compileRegex(s[i+1 : i+1+end])
			if err != nil {
				return nil, err
			}
			t.re, i = re, i+end+2
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) {
				j++
			}
			word := s[i:j]
			for k := 0; k < len(word); k++ {
				if !isWordByte(word[k]) {
					return nil, &SyntaxError{Term: word}
				}
			}
			t.text, i = word, j
		}
		// A term must be followed by a blank or the end.
		if i < len(s) && !isSpace(s[i]) {
			return nil, errSyntax
		}
		if kind == termOptional {
			m.hasOptional = true
		}
		m.terms = append(m.terms, t)
	}
	// `" "` is the User Guide's way of matching everything.
	if blankPhrase && len(m.terms) == 1 && m.terms[0].kind == termRequired {
		return matchAll{}, nil
	}
	return m, nil
}
