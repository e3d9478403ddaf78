package logfilter

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of parentheses in a JSON pattern.
const maxDepth = 64

// jsonExpr is a node of a compiled JSON pattern.
type jsonExpr interface {
	eval(doc any) bool
}

type jsonAnd []jsonExpr

func (a jsonAnd) eval(doc any) bool {
	for _, e := range a {
		if !e.eval(doc) {
			return false
		}
	}
	return true
}

type jsonOr []jsonExpr

func (o jsonOr) eval(doc any) bool {
	for _, e := range o {
		if e.eval(doc) {
			return true
		}
	}
	return false
}

// step is one selector step: an object key, or an array index when key is "" and
// index >= 0.
type step struct {
	key   string
	index int
}

// selector is a parsed $.a.b[0] path.
type selector []step

// resolve walks doc along the selector.
func (sel selector) resolve(doc any) (any, bool) {
	v := doc
	for _, st := range sel {
		if st.index >= 0 {
			arr, ok := v.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			v = arr[st.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		v, ok = obj[st.key]
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// testKind is a condition that is not a comparison.
type testKind int

const (
	testNone testKind = iota
	testNull
	testTrue
	testFalse
	testExists
	testNotExists
)

// jsonCond is one condition of a JSON pattern.
type jsonCond struct {
	sel  selector
	test testKind
	op   op
	lit  *literal
}

func (c *jsonCond) eval(doc any) bool {
	v, found := c.sel.resolve(doc)
	switch c.test {
	case testNull:
		return found && v == nil
	case testTrue:
		b, ok := v.(bool)
		return found && ok && b
	case testFalse:
		b, ok := v.(bool)
		return found && ok && !b
	case testExists:
		return found
	case testNotExists:
		return !found
	}
	if !found {
		return false
	}
	switch x := v.(type) {
	case string:
		return c.lit.compare(c.op, x, 0, false)
	case json.Number:
		n, err := strconv.ParseFloat(string(x), 64)
		return c.lit.compare(c.op, string(x), n, err == nil)
	case bool:
		return c.lit.compare(c.op, strconv.FormatBool(x), 0, false)
	}
	// null, objects and arrays are not value nodes: the condition does not apply.
	return false
}

// jsonMatcher matches messages that are JSON documents.
type jsonMatcher struct{ expr jsonExpr }

func (m *jsonMatcher) match(msg string) bool {
	trimmed := strings.TrimSpace(msg)
	if trimmed == "" || trimmed[0] != '{' && trimmed[0] != '[' {
		return false
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false
	}
	// Anything after the document makes the message something other than JSON.
	if _, err := dec.Token(); err != io.EOF {
		return false
	}
	return m.expr.eval(doc)
}

// jsonParser is a recursive-descent parser of { ... } patterns.
type jsonParser struct {
	s     string
	i     int
	depth int
}

func compileJSON(s string) (matcher, error) {
	if !strings.HasSuffix(s, "}") {
		return nil, errSyntax
	}
	p := &jsonParser{s: s[1 : len(s)-1]}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.i = skipSpace(p.s, p.i)
	if p.i != len(p.s) {
		return nil, errSyntax
	}
	return &jsonMatcher{expr: e}, nil
}

func (p *jsonParser) peek(tok string) bool {
	p.i = skipSpace(p.s, p.i)
	return strings.HasPrefix(p.s[p.i:], tok)
}

func (p *jsonParser) or() (jsonExpr, error) {
	var terms jsonOr
	for {
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
		if !p.peek("||") {
			break
		}
		p.i += 2
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *jsonParser) and() (jsonExpr, error) {
	var terms jsonAnd
	for {
		e, err := p.primary()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
		if !p.peek("&&") {
			break
		}
		p.i += 2
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *jsonParser) primary() (jsonExpr, error) {
	if p.peek("(") {
		p.depth++
		if p.depth > maxDepth {
			return nil, errSyntax
		}
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, errSyntax
		}
		p.i++
		p.depth--
		return e, nil
	}
	return p.cond()
}

func (p *jsonParser) cond() (jsonExpr, error) {
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	c := &jsonCond{sel: sel}
	p.i = skipSpace(p.s, p.i)
	if kw, ok := p.keywords(); ok {
		c.test = kw
		return c, nil
	}
	o, next, ok := readOp(p.s, p.i)
	if !ok {
		return nil, errSyntax
	}
	p.i = skipSpace(p.s, next)
	lit, next, err := readLiteral(p.s, p.i, "()")
	if err != nil {
		return nil, err
	}
	if o != opEq && o != opNe && !lit.isNum {
		return nil, errSyntax
	}
	p.i = next
	c.op, c.lit = o, lit
	return c, nil
}

// keywords reads IS NULL, IS TRUE, IS FALSE, EXISTS and NOT EXISTS (any case).
func (p *jsonParser) keywords() (testKind, bool) {
	save := p.i
	w1 := p.word()
	switch strings.ToUpper(w1) {
	case "IS":
		switch strings.ToUpper(p.word()) {
		case "NULL":
			return testNull, true
		case "TRUE":
			return testTrue, true
		case "FALSE":
			return testFalse, true
		}
	case "EXISTS":
		return testExists, true
	case "NOT":
		if strings.ToUpper(p.word()) == "EXISTS" {
			return testNotExists, true
		}
	}
	p.i = save
	return testNone, false
}

// word reads a run of letters after blanks.
func (p *jsonParser) word() string {
	p.i = skipSpace(p.s, p.i)
	j := p.i
	for j < len(p.s) && (p.s[j] >= 'a' && p.s[j] <= 'z' || p.s[j] >= 'A' && p.s[j] <= 'Z') {
		j++
	}
	w := p.s[p.i:j]
	p.i = j
	return w
}

// selector reads $ followed by .key and [n] steps. Keys are letters, digits, '-' and '_'.
func (p *jsonParser) selector() (selector, error) {
	p.i = skipSpace(p.s, p.i)
	if p.i >= len(p.s) || p.s[p.i] != '$' {
		return nil, errSyntax
	}
	p.i++
	var sel selector
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '.':
			j := p.i + 1
			for j < len(p.s) && (isWordByte(p.s[j]) || p.s[j] == '-') {
				j++
			}
			if j == p.i+1 {
				return nil, errSyntax
			}
			sel = append(sel, step{key: p.s[p.i+1 : j], index: -1})
			p.i = j
		case '[':
			if len(sel) == 0 {
				return nil, errSyntax
			}
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return nil, errSyntax
			}
			digits := p.s[p.i+1 : p.i+end]
			n, err := strconv.Atoi(digits)
			if err != nil || n < 0 || digits[0] == '+' {
				return nil, errSyntax
			}
			sel = append(sel, step{index: n})
			p.i += end + 1
		default:
			if len(sel) == 0 {
				return nil, errSyntax
			}
			return sel, nil
		}
	}
	if len(sel) == 0 {
		return nil, errSyntax
	}
	return sel, nil
}
