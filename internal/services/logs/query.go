package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file parses the Logs Insights query language: commands joined by "|". The subset
// served is fields, display, filter, parse (glob and regular expression), stats (count,
// count_distinct, sum, avg, min, max, by fields and bin), sort and limit.

// queryError is a query that does not compile; it becomes MalformedQueryException.
type queryError struct {
	// pos and end are the offsets of the first and last characters of the offending
	// symbol.
	pos, end int
	msg      string
}

func (e *queryError) Error() string { return e.msg }

// tokKind is the kind of a query token.
type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokRegex
	tokNumber
	tokDuration
	tokOp
	tokPipe
	tokComma
	tokLParen
	tokRParen
	tokLBracket
	tokRBracket
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// lexQuery splits a query into tokens.
func lexQuery(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '|':
			out = append(out, token{tokPipe, "|", i})
			i++
		case c == ',':
			out = append(out, token{tokComma, ",", i})
			i++
		case c == '(':
			out = append(out, token{tokLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tokRParen, ")", i})
			i++
		case c == '[':
			out = append(out, token{tokLBracket, "[", i})
			i++
		case c == ']':
			out = append(out, token{tokRBracket, "]", i})
			i++
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for j < len(src) && src[j] != c {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
				j++
			}
			if j >= len(src) {
				return nil, unexpected(src[i:], i)
			}
			out = append(out, token{tokString, b.String(), i})
			i = j + 1
		case c == '`':
			j := strings.IndexByte(src[i+1:], '`')
			if j < 0 {
				return nil, unexpected(src[i:], i)
			}
			out = append(out, token{tokIdent, src[i+1 : i+1+j], i})
			i += j + 2
		case c == '/':
			j := i + 1
			for j < len(src) && src[j] != '/' {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, unexpected(src[i:], i)
			}
			out = append(out, token{tokRegex, src[i+1 : j], i})
			i = j + 1
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && lastIsOperator(out):
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			k := j
			for k < len(src) && unicode.IsLetter(rune(src[k])) {
				k++
			}
			if k > j {
				out = append(out, token{tokDuration, src[i:k], i})
			} else {
				out = append(out, token{tokNumber, src[i:j], i})
			}
			i = k
		case strings.ContainsRune("=!<>~", rune(c)):
			j := i + 1
			for j < len(src) && strings.ContainsRune("=!<>~", rune(src[j])) {
				j++
			}
			op := src[i:j]
			switch op {
			case "=", "==", "!=", "<", "<=", ">", ">=", "=~":
			default:
				return nil, unexpected(op, i)
			}
			out = append(out, token{tokOp, op, i})
			i = j
		case c == '+' || c == '*' || c == '-':
			out = append(out, token{tokOp, string(c), i})
			i++
		case c == '@' || c == '_' || c == '$' || c < 0x80 && unicode.IsLetter(rune(c)) || c >= 0x80:
			j := i + 1
			for j < len(src) {
				d := src[j]
				if d == '_' || d == '.' || d == '@' || d == '$' ||
					d >= 0x80 || d < 0x80 && (unicode.IsLetter(rune(d)) || unicode.IsDigit(rune(d))) {
					j++
					continue
				}
				break
			}
			out = append(out, token{tokIdent, src[i:j], i})
			i = j
		default:
			return nil, unexpected(string(c), i)
		}
	}
	out = append(out, token{tokEOF, "", len(src)})
	return out, nil
}

// lastIsOperator reports whether a '-' starts a negative number rather than a subtraction.
func lastIsOperator(toks []token) bool {
	if len(toks) == 0 {
		return true
	}
	switch toks[len(toks)-1].kind {
	case tokOp, tokComma, tokLParen, tokLBracket, tokPipe:
		return true
	}
	return false
}

// unexpected is AWS's message for a query that does not compile.
func unexpected(sym string, pos int) *queryError {
	end := pos + max(len(sym), 1) - 1
	if sym == "" {
		sym = "<EOF>"
	}
	return &queryError{pos: pos, end: end, msg: fmt.Sprintf("unexpected symbol found %s at line 1 and position %d", sym, pos+1)}
}

// query is a compiled Logs Insights query.
type query struct {
	cmds []command
}

// command is one stage of a query.
type command interface{ isCommand() }

type fieldsCmd struct {
	display bool
	items   []namedExpr
}

type namedExpr struct {
	name string
	expr expr
}

type filterCmd struct{ cond expr }

type parseCmd struct {
	source string
	// glob is set for "pattern *" parses; re for regular expressions.
	glob  *regexp.Regexp
	names []string
	re    *regexp.Regexp
}

type statsCmd struct {
	aggs []aggregate
	by   []namedExpr
}

type aggregate struct {
	name string
	fn   string
	arg  expr // nil for count(*)
}

type sortCmd struct{ keys []sortKey }

type sortKey struct {
	field string
	desc  bool
}

type limitCmd struct{ n int }

func (fieldsCmd) isCommand() {}
func (filterCmd) isCommand() {}
func (parseCmd) isCommand()  {}
func (statsCmd) isCommand()  {}
func (sortCmd) isCommand()   {}
func (limitCmd) isCommand()  {}

// expr is an expression over one record.
type expr interface{ isExpr() }

type fieldExpr struct{ name string }
type litExpr struct{ val any }
type regexExpr struct{ re *regexp.Regexp }
type binaryExpr struct {
	op          string
	left, right expr
}
type notExpr struct{ x expr }
type inExpr struct {
	x    expr
	list []expr
	neg  bool
}
type callExpr struct {
	fn   string
	args []expr
}

func (fieldExpr) isExpr()  {}
func (litExpr) isExpr()    {}
func (regexExpr) isExpr()  {}
func (binaryExpr) isExpr() {}
func (notExpr) isExpr()    {}
func (inExpr) isExpr()     {}
func (callExpr) isExpr()   {}

// parser reads tokens into a query.
type parser struct {
	src  string
	toks []token
	i    int
}

// parseQuery compiles a Logs Insights query.
func parseQuery(src string) (*query, error) {
	toks, err := lexQuery(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q := &query{}
	for {
		cmd, err := p.command()
		if err != nil {
			return nil, err
		}
		q.cmds = append(q.cmds, cmd)
		switch p.peek().kind {
		case tokPipe:
			p.i++
			continue
		case tokEOF:
			return q, nil
		}
		return nil, p.unexpected()
	}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) unexpected() *queryError {
	t := p.peek()
	return unexpected(t.text, t.pos)
}

// keyword reports whether the next token is the identifier kw (any case) and consumes it.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == tokIdent && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(k tokKind) (token, error) {
	if p.peek().kind != k {
		return token{}, p.unexpected()
	}
	return p.next(), nil
}

func (p *parser) command() (command, error) {
	t := p.peek()
	if t.kind != tokIdent {
		return nil, p.unexpected()
	}
	p.i++
	switch strings.ToLower(t.text) {
	case "fields", "display":
		items, err := p.namedList()
		if err != nil {
			return nil, err
		}
		return &fieldsCmd{display: strings.EqualFold(t.text, "display"), items: items}, nil
	case "filter":
		cond, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &filterCmd{cond: cond}, nil
	case "parse":
		return p.parse()
	case "stats":
		return p.stats()
	case "sort":
		return p.sort()
	case "limit":
		n, err := p.expect(tokNumber)
		if err != nil {
			return nil, err
		}
		v, err2 := strconv.Atoi(n.text)
		if err2 != nil || v < 1 || v > maxQueryLimit {
			return nil, unexpected(n.text, n.pos)
		}
		return &limitCmd{n: v}, nil
	}
	return nil, unexpected(t.text, t.pos)
}

// namedList reads "expr [as name], ...".
func (p *parser) namedList() ([]namedExpr, error) {
	var items []namedExpr
	for {
		start := p.peek().pos
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		name := p.text(start)
		if f, ok := x.(*fieldExpr); ok {
			name = f.name
		}
		if p.keyword("as") {
			t, err := p.expect(tokIdent)
			if err != nil {
				return nil, err
			}
			name = t.text
		}
		items = append(items, namedExpr{name: name, expr: x})
		if p.peek().kind != tokComma {
			return items, nil
		}
		p.i++
	}
}

// text returns the source from start up to the current token, trimmed: the default
// name of an expression's result.
func (p *parser) text(start int) string {
	return strings.TrimSpace(p.src[start:p.peek().pos])
}

func (p *parser) parse() (command, error) {
	src := p.next()
	if src.kind != tokIdent {
		return nil, unexpected(src.text, src.pos)
	}
	pat := p.next()
	switch pat.kind {
	case tokRegex:
		re, err := compileInsightsRegex(pat.text)
		if err != nil {
			return nil, unexpected(pat.text, pat.pos)
		}
		if len(re.SubexpNames()) < 2 {
			return nil, unexpected(pat.text, pat.pos)
		}
		return &parseCmd{source: src.text, re: re}, nil
	case tokString:
		parts := strings.Split(pat.text, "*")
		if len(parts) < 2 {
			return nil, unexpected(pat.text, pat.pos)
		}
		var b strings.Builder
		b.WriteString("(?s)")
		for i, part := range parts {
			if i > 0 {
				b.WriteString("(.*?)")
			}
			b.WriteString(regexp.QuoteMeta(part))
		}
		if parts[len(parts)-1] == "" {
			// A trailing * takes the rest of the message.
			s := b.String()
			b.Reset()
			b.WriteString(strings.TrimSuffix(s, "(.*?)") + "(.*)")
		}
		glob, err := regexp.Compile(b.String())
		if err != nil {
			return nil, unexpected(pat.text, pat.pos)
		}
		if !p.keyword("as") {
			return nil, p.unexpected()
		}
		var names []string
		for {
			t, err := p.expect(tokIdent)
			if err != nil {
				return nil, err
			}
			names = append(names, t.text)
			if p.peek().kind != tokComma {
				break
			}
			p.i++
		}
		if len(names) != len(parts)-1 {
			return nil, &queryError{pos: pat.pos, end: pat.pos + len(pat.text) + 1, msg: fmt.Sprintf("Expected %d fields for parse but found %d", len(parts)-1, len(names))}
		}
		return &parseCmd{source: src.text, glob: glob, names: names}, nil
	}
	return nil, unexpected(pat.text, pat.pos)
}

// compileInsightsRegex compiles a /regex/: Insights writes named groups as (?<name>...),
// which Go spells (?P<name>...).
func compileInsightsRegex(src string) (*regexp.Regexp, error) {
	return regexp.Compile(strings.ReplaceAll(src, "(?<", "(?P<"))
}

// aggregate functions stats serves.
var aggFuncs = map[string]bool{"count": true, "count_distinct": true, "sum": true, "avg": true, "min": true, "max": true}

func (p *parser) stats() (command, error) {
	cmd := &statsCmd{}
	for {
		start := p.peek().pos
		fn := p.next()
		name := strings.ToLower(fn.text)
		if fn.kind != tokIdent || !aggFuncs[name] {
			return nil, unexpected(fn.text, fn.pos)
		}
		if _, err := p.expect(tokLParen); err != nil {
			return nil, err
		}
		a := aggregate{fn: name}
		if t := p.peek(); t.kind == tokOp && t.text == "*" && name == "count" {
			p.i++
		} else {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			a.arg = x
		}
		if _, err := p.expect(tokRParen); err != nil {
			return nil, err
		}
		a.name = p.text(start)
		if p.keyword("as") {
			t, err := p.expect(tokIdent)
			if err != nil {
				return nil, err
			}
			a.name = t.text
		}
		cmd.aggs = append(cmd.aggs, a)
		if p.peek().kind != tokComma {
			break
		}
		p.i++
	}
	if p.keyword("by") {
		by, err := p.namedList()
		if err != nil {
			return nil, err
		}
		cmd.by = by
	}
	return cmd, nil
}

func (p *parser) sort() (command, error) {
	cmd := &sortCmd{}
	for {
		t, err := p.expect(tokIdent)
		if err != nil {
			return nil, err
		}
		k := sortKey{field: t.text, desc: true}
		if p.peek().kind == tokLParen {
			// An aggregate's default name, as in "stats count(*) | sort count(*) desc".
			for depth := 0; ; {
				switch p.next().kind {
				case tokLParen:
					depth++
				case tokRParen:
					depth--
				case tokEOF:
					return nil, p.unexpected()
				}
				if depth == 0 {
					break
				}
			}
			k.field = p.text(t.pos)
		}
		switch {
		case p.keyword("asc"):
			k.desc = false
		case p.keyword("desc"):
		}
		cmd.keys = append(cmd.keys, k)
		if p.peek().kind != tokComma {
			return cmd, nil
		}
		p.i++
	}
}

// Expressions: or > and > not > comparison > additive > primary.

func (p *parser) expr() (expr, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{op: "or", left: left, right: right}
	}
	return left, nil
}

func (p *parser) and() (expr, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{op: "and", left: left, right: right}
	}
	return left, nil
}

func (p *parser) not() (expr, error) {
	if p.keyword("not") {
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (expr, error) {
	left, err := p.additive()
	if err != nil {
		return nil, err
	}
	neg := false
	if t := p.peek(); t.kind == tokIdent && strings.EqualFold(t.text, "not") {
		if n := p.toks[p.i+1]; n.kind == tokIdent && (strings.EqualFold(n.text, "like") || strings.EqualFold(n.text, "in")) {
			p.i++
			neg = true
		}
	}
	switch {
	case p.keyword("like"):
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		var x expr = &binaryExpr{op: "like", left: left, right: right}
		if neg {
			x = &notExpr{x: x}
		}
		return x, nil
	case p.keyword("in"):
		if _, err := p.expect(tokLBracket); err != nil {
			return nil, err
		}
		in := &inExpr{x: left, neg: neg}
		for p.peek().kind != tokRBracket {
			v, err := p.additive()
			if err != nil {
				return nil, err
			}
			in.list = append(in.list, v)
			if p.peek().kind == tokComma {
				p.i++
			} else if p.peek().kind != tokRBracket {
				return nil, p.unexpected()
			}
		}
		p.i++
		return in, nil
	case neg:
		return nil, p.unexpected()
	}
	if t := p.peek(); t.kind == tokOp {
		switch t.text {
		case "=", "==", "!=", "<", "<=", ">", ">=", "=~":
			p.i++
			right, err := p.additive()
			if err != nil {
				return nil, err
			}
			op := t.text
			if op == "==" {
				op = "="
			}
			if op == "=~" {
				op = "like"
			}
			return &binaryExpr{op: op, left: left, right: right}, nil
		}
	}
	return left, nil
}

func (p *parser) additive() (expr, error) {
	left, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || (t.text != "+" && t.text != "-" && t.text != "*") {
			return left, nil
		}
		p.i++
		right, err := p.primary()
		if err != nil {
			return nil, err
		}
		left = &binaryExpr{op: t.text, left: left, right: right}
	}
}

// queryFuncs are the functions expressions may call, with their argument counts.
var queryFuncs = map[string]int{
	"ispresent": 1, "isempty": 1, "isblank": 1, "tolower": 1, "toupper": 1, "strlen": 1,
	"trim": 1, "abs": 1, "floor": 1, "ceil": 1, "concat": -1, "bin": 1,
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, unexpected(t.text, t.pos)
		}
		return &litExpr{val: f}, nil
	case tokString:
		return &litExpr{val: t.text}, nil
	case tokRegex:
		re, err := compileInsightsRegex(t.text)
		if err != nil {
			return nil, unexpected(t.text, t.pos)
		}
		return &regexExpr{re: re}, nil
	case tokDuration:
		d, ok := parseBinDuration(t.text)
		if !ok {
			return nil, unexpected(t.text, t.pos)
		}
		return &litExpr{val: d}, nil
	case tokLParen:
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tokRParen); err != nil {
			return nil, err
		}
		return x, nil
	case tokIdent:
		if p.peek().kind != tokLParen {
			return &fieldExpr{name: t.text}, nil
		}
		name := strings.ToLower(t.text)
		n, ok := queryFuncs[name]
		if !ok {
			return nil, unexpected(t.text, t.pos)
		}
		p.i++
		call := &callExpr{fn: name}
		for p.peek().kind != tokRParen {
			x, err := p.additive()
			if err != nil {
				return nil, err
			}
			call.args = append(call.args, x)
			if p.peek().kind == tokComma {
				p.i++
			} else if p.peek().kind != tokRParen {
				return nil, p.unexpected()
			}
		}
		p.i++
		if n >= 0 && len(call.args) != n {
			return nil, unexpected(t.text, t.pos)
		}
		if name == "bin" {
			if _, ok := call.args[0].(*litExpr); !ok {
				return nil, unexpected(t.text, t.pos)
			}
			if _, ok := call.args[0].(*litExpr).val.(time.Duration); !ok {
				return nil, unexpected(t.text, t.pos)
			}
		}
		return call, nil
	}
	return nil, unexpected(t.text, t.pos)
}

// parseBinDuration reads the period of bin(): a number and a unit (ms, s, m, h, d, w; the
// long forms too).
func parseBinDuration(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	var unit time.Duration
	switch strings.ToLower(s[i:]) {
	case "ms", "msec":
		unit = time.Millisecond
	case "s", "sec", "second", "seconds":
		unit = time.Second
	case "m", "min", "minute", "minutes":
		unit = time.Minute
	case "h", "hr", "hour", "hours":
		unit = time.Hour
	case "d", "day", "days":
		unit = 24 * time.Hour
	case "w", "week", "weeks":
		unit = 7 * 24 * time.Hour
	default:
		return 0, false
	}
	d := time.Duration(n * float64(unit))
	return d, d >= time.Millisecond
}
