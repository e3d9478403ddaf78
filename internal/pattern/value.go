package pattern

import (
	"strconv"
	"strings"
)

// op is the kind of one value matcher of a pattern field.
type op uint8

const (
	opString     op = iota // exact string (IP literals compare as addresses)
	opNumber               // exact number: numerically equal, or the same literal
	opLiteral              // true, false or null
	opEqualsFold           // equals-ignore-case
	opPrefix
	opPrefixFold
	opSuffix
	opSuffixFold
	opWildcard
	opCIDR
	opRange  // numeric
	opExists // exists: true
	opAbsent // exists: false
	opNotValues
	opNotPrefix
	opNotSuffix
	opNotFold
	opNotWildcard
)

// matcher is one alternative of a pattern field: the field matches when any
// of its matchers matches any of the event's values at that path.
type matcher struct {
	op  op
	s   string // string operand (folded for fold ops); literal text for opNumber and opLiteral
	ip  string // opString: address bytes if the operand is an IP literal
	num int64  // opNumber: comparable form, if numOK
	ok  bool   // opNumber: num is valid

	lo, hi int64 // opRange: inclusive bounds in millionths
	cidr   cidrRange
	wc     *wildcard

	// Anything-but operands: strings (folded for opNotFold), numbers, or
	// wildcards.
	strs    []string
	nums    []int64
	numeric bool
	wcs     []*wildcard
}

// class orders a rule's fields so that the cheapest, most selective tests
// run first in the shared state machine: hash lookups, then affix and
// address tests, numeric ranges, negations, and finally absence.
func (m *matcher) class() int {
	switch m.op {
	case opString, opNumber, opLiteral, opEqualsFold:
		return 0
	case opPrefix, opPrefixFold, opSuffix, opSuffixFold, opWildcard, opCIDR:
		return 1
	case opRange:
		return 2
	case opAbsent:
		return 4
	}
	return 3
}

// signature is a canonical text form used to share identical fields
// between rules in one matcher.
func (m *matcher) signature() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(m.op)))
	b.WriteByte(':')
	switch m.op {
	case opRange:
		b.WriteString(strconv.FormatInt(m.lo, 10) + "," + strconv.FormatInt(m.hi, 10))
	case opCIDR:
		b.WriteString(strconv.Quote(string(m.cidr.lo)) + "," + strconv.Quote(string(m.cidr.hi)))
	case opWildcard:
		b.WriteString(quoteList(m.wc.segs))
	case opNotValues:
		if m.numeric {
			for _, n := range m.nums {
				b.WriteString(strconv.FormatInt(n, 10) + ",")
			}
		} else {
			b.WriteString(quoteList(m.strs))
		}
	case opNotPrefix, opNotSuffix, opNotFold:
		b.WriteString(quoteList(m.strs))
	case opNotWildcard:
		for _, w := range m.wcs {
			b.WriteString(quoteList(w.segs) + ";")
		}
	default:
		b.WriteString(strconv.Quote(m.s))
	}
	return b.String()
}

func quoteList(ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(strconv.Quote(s))
		b.WriteByte(',')
	}
	return b.String()
}

// kind is the JSON type of an event value.
type kind uint8

const (
	kindString kind = iota
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// arrayPos places a value inside one element of one event array.
type arrayPos struct {
	array int32
	index int32
}

// leaf is one scalar event value at a path. Derived forms are computed on
// first use; a leaf belongs to one matching call.
type leaf struct {
	kind  kind
	text  string // string content, or the literal for numbers and keywords
	trail []arrayPos

	numDone bool
	numOK   bool
	num     int64
	ipDone  bool
	ip      []byte
	folded  string
	foldOK  bool
}

func (l *leaf) number() (int64, bool) {
	if !l.numDone {
		l.numDone = true
		if l.kind == kindNumber {
			l.num, l.numOK = comparableNumber(l.text)
		}
	}
	return l.num, l.numOK
}

func (l *leaf) addr() []byte {
	if !l.ipDone {
		l.ipDone = true
		if l.kind == kindString {
			l.ip, _ = parseIP(l.text)
		}
	}
	return l.ip
}

func (l *leaf) fold() string {
	if !l.foldOK {
		l.foldOK = true
		l.folded = fold(l.text)
	}
	return l.folded
}

func (l *leaf) literal() string {
	switch l.kind {
	case kindTrue:
		return "true"
	case kindFalse:
		return "false"
	case kindNull:
		return "null"
	}
	return l.text
}

// matches reports whether one event value satisfies m. It is the reference
// semantics that the shared state machine's indexes must agree with.
func (m *matcher) matches(l *leaf) bool {
	str := l.kind == kindString
	switch m.op {
	case opString:
		if !str {
			return false
		}
		if l.text == m.s {
			return true
		}
		return m.ip != "" && string(l.addr()) == m.ip
	case opNumber:
		if l.kind != kindNumber {
			return false
		}
		if n, ok := l.number(); ok && m.ok && n == m.num {
			return true
		}
		return l.text == m.s
	case opLiteral:
		return l.kind != kindString && l.kind != kindNumber && l.literal() == m.s
	case opEqualsFold:
		return str && l.fold() == m.s
	case opPrefix:
		return str && strings.HasPrefix(l.text, m.s)
	case opPrefixFold:
		return str && strings.HasPrefix(l.fold(), m.s)
	case opSuffix:
		return str && strings.HasSuffix(l.text, m.s)
	case opSuffixFold:
		return str && strings.HasSuffix(l.fold(), m.s)
	case opWildcard:
		return str && m.wc.match(l.text)
	case opCIDR:
		return str && m.cidr.contains(l.addr())
	case opRange:
		n, ok := l.number()
		return ok && n >= m.lo && n <= m.hi
	case opExists:
		return true
	case opAbsent:
		return false
	case opNotValues:
		if m.numeric {
			n, ok := l.number()
			if !ok {
				return true
			}
			for _, x := range m.nums {
				if x == n {
					return false
				}
			}
			return true
		}
		if !str {
			return true
		}
		for _, x := range m.strs {
			if x == l.text {
				return false
			}
		}
		return true
	case opNotPrefix:
		if !str {
			return true
		}
		for _, x := range m.strs {
			if strings.HasPrefix(l.text, x) {
				return false
			}
		}
		return true
	case opNotSuffix:
		if !str {
			return true
		}
		for _, x := range m.strs {
			if strings.HasSuffix(l.text, x) {
				return false
			}
		}
		return true
	case opNotFold:
		if !str {
			return true
		}
		f := l.fold()
		for _, x := range m.strs {
			if x == f {
				return false
			}
		}
		return true
	case opNotWildcard:
		if !str {
			return true
		}
		for _, w := range m.wcs {
			if w.match(l.text) {
				return false
			}
		}
		return true
	}
	return false
}

// compatible reports whether two values can be matched together: values
// taken from different elements of the same event array never combine.
func compatible(a, b []arrayPos) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].array != b[i].array {
			return true
		}
		if a[i].index != b[i].index {
			return false
		}
	}
	return true
}
