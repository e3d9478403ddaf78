package pattern

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrInvalidEvent is returned for an event that is not valid JSON.
var ErrInvalidEvent = errors.New("event is not valid JSON")

// maxEventDepth bounds the nesting of events Overcast flattens.
const maxEventDepth = 10_000

// pathFilter restricts flattening to the paths some pattern refers to.
type pathFilter struct {
	leaves    map[string]string // paths of pattern fields, each mapped to itself
	ancestors map[string]bool   // every dot-boundary prefix of those paths
}

func newPathFilter() *pathFilter {
	return &pathFilter{leaves: map[string]string{}, ancestors: map[string]bool{}}
}

func (f *pathFilter) add(path string) {
	f.leaves[path] = path
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			f.ancestors[path[:i]] = true
		}
	}
}

// flat is an event flattened to its scalar values by dotted path.
type flat struct {
	values map[string][]*leaf
	arrays int32
}

type flattener struct {
	src    []byte
	pos    int
	filter *pathFilter
	out    *flat
	trail  []arrayPos
	depth  int
	// owner tracks, for each array, the first leaf path under it and
	// whether other paths occur under it too.
	owner map[int32]string
	multi map[int32]bool

	path   []byte // path of the value being read
	kbuf   []byte // decoded key
	vbuf   []byte // decoded string value
	leaves []leaf // current allocation chunk
}

// flatten parses an event and collects its scalar values. It fails if the
// document is not valid JSON; a document that is not an object has no
// values.
func flatten(src []byte, filter *pathFilter) (*flat, error) {
	f := &flattener{out: &flat{values: map[string][]*leaf{}}}
	return f.run(src, filter)
}

// reset prepares a pooled flattener for another event, keeping its
// allocations.
func (f *flattener) reset() {
	for k, v := range f.out.values {
		f.out.values[k] = v[:0]
	}
	f.out.arrays = 0
	clear(f.owner)
	clear(f.multi)
	f.trail, f.path, f.leaves = f.trail[:0], f.path[:0], f.leaves[:0]
	f.depth, f.pos = 0, 0
	f.src, f.filter = nil, nil
}

func (f *flattener) newLeaf() *leaf {
	if len(f.leaves) == cap(f.leaves) {
		// Earlier chunks stay referenced by the leaves handed out.
		f.leaves = make([]leaf, 0, max(32, 2*cap(f.leaves)))
	}
	f.leaves = f.leaves[:len(f.leaves)+1]
	l := &f.leaves[len(f.leaves)-1]
	*l = leaf{}
	return l
}

func (f *flattener) run(src []byte, filter *pathFilter) (*flat, error) {
	f.src, f.filter = src, filter
	f.skipSpace()
	if f.pos >= len(src) {
		return nil, ErrInvalidEvent
	}
	if err := f.value(true, true); err != nil {
		return nil, err
	}
	f.skipSpace()
	if f.pos != len(src) {
		return nil, ErrInvalidEvent
	}
	f.prune()
	return f.out, nil
}

// prune drops array positions that cannot constrain a match: an array
// whose values all sit at one path never holds two fields of one rule.
func (f *flattener) prune() {
	if f.out.arrays == 0 {
		return
	}
	for _, ls := range f.out.values {
		for _, l := range ls {
			if len(l.trail) == 0 {
				continue
			}
			kept := l.trail[:0:0]
			for _, p := range l.trail {
				if f.multi[p.array] {
					kept = append(kept, p)
				}
			}
			l.trail = kept
		}
	}
}

func (f *flattener) skipSpace() {
	for f.pos < len(f.src) {
		switch f.src[f.pos] {
		case ' ', '\t', '\n', '\r':
			f.pos++
		default:
			return
		}
	}
}

// value parses one JSON value at f.path. keep reports whether the value's
// scalars are wanted; root marks the document's top-level value.
func (f *flattener) value(keep, root bool) error {
	if f.pos >= len(f.src) {
		return ErrInvalidEvent
	}
	switch c := f.src[f.pos]; {
	case c == '{':
		return f.object(keep)
	case c == '[':
		return f.array(keep && !root)
	case c == '"':
		s, err := f.str(&f.vbuf)
		if err != nil {
			return err
		}
		if !root && keep {
			f.emitBytes(kindString, s)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		start := f.pos
		if !f.number() {
			return ErrInvalidEvent
		}
		if !root && keep {
			f.emitBytes(kindNumber, f.src[start:f.pos])
		}
	case c == 't':
		if !f.word("true") {
			return ErrInvalidEvent
		}
		if !root && keep {
			f.emitBytes(kindTrue, nil)
		}
	case c == 'f':
		if !f.word("false") {
			return ErrInvalidEvent
		}
		if !root && keep {
			f.emitBytes(kindFalse, nil)
		}
	case c == 'n':
		if !f.word("null") {
			return ErrInvalidEvent
		}
		if !root && keep {
			f.emitBytes(kindNull, nil)
		}
	default:
		return ErrInvalidEvent
	}
	return nil
}

// emitBytes records a scalar at f.path, copying its text.
func (f *flattener) emitBytes(k kind, text []byte) {
	if len(f.path) == 0 {
		return
	}
	var path string
	if f.filter != nil {
		p, ok := f.filter.leaves[string(f.path)]
		if !ok {
			return
		}
		path = p
	} else {
		path = string(f.path)
	}
	l := f.newLeaf()
	l.kind, l.text = k, string(text)
	if len(f.trail) > 0 {
		l.trail = append([]arrayPos(nil), f.trail...)
		for _, p := range f.trail {
			if first, ok := f.owner[p.array]; !ok {
				f.owner[p.array] = path
			} else if first != path {
				f.multi[p.array] = true
			}
		}
	}
	f.out.values[path] = append(f.out.values[path], l)
}

func (f *flattener) enter() error {
	f.depth++
	if f.depth > maxEventDepth {
		return ErrInvalidEvent
	}
	return nil
}

func (f *flattener) object(keep bool) error {
	if err := f.enter(); err != nil {
		return err
	}
	defer func() { f.depth-- }()
	f.pos++ // '{'
	f.skipSpace()
	if f.pos < len(f.src) && f.src[f.pos] == '}' {
		f.pos++
		return nil
	}
	for {
		f.skipSpace()
		if f.pos >= len(f.src) || f.src[f.pos] != '"' {
			return ErrInvalidEvent
		}
		key, err := f.str(&f.kbuf)
		if err != nil {
			return err
		}
		f.skipSpace()
		if f.pos >= len(f.src) || f.src[f.pos] != ':' {
			return ErrInvalidEvent
		}
		f.pos++
		f.skipSpace()
		n := len(f.path)
		if n > 0 {
			f.path = append(f.path, '.')
		}
		f.path = append(f.path, key...)
		childKeep := keep
		if keep && f.filter != nil && f.pos < len(f.src) {
			switch f.src[f.pos] {
			case '{':
				childKeep = f.filter.ancestors[string(f.path)]
			case '[':
				_, leafPath := f.filter.leaves[string(f.path)]
				childKeep = leafPath || f.filter.ancestors[string(f.path)]
			}
		}
		err = f.value(childKeep, false)
		f.path = f.path[:n]
		if err != nil {
			return err
		}
		f.skipSpace()
		if f.pos >= len(f.src) {
			return ErrInvalidEvent
		}
		switch f.src[f.pos] {
		case ',':
			f.pos++
		case '}':
			f.pos++
			return nil
		default:
			return ErrInvalidEvent
		}
	}
}

func (f *flattener) array(keep bool) error {
	if err := f.enter(); err != nil {
		return err
	}
	defer func() { f.depth-- }()
	f.pos++ // '['
	f.skipSpace()
	if f.pos < len(f.src) && f.src[f.pos] == ']' {
		f.pos++
		return nil
	}
	var id int32
	if keep {
		id = f.out.arrays
		f.out.arrays++
		if f.owner == nil {
			f.owner, f.multi = map[int32]string{}, map[int32]bool{}
		}
	}
	for index := int32(0); ; index++ {
		f.skipSpace()
		if keep {
			f.trail = append(f.trail, arrayPos{array: id, index: index})
		}
		err := f.value(keep, false)
		if keep {
			f.trail = f.trail[:len(f.trail)-1]
		}
		if err != nil {
			return err
		}
		f.skipSpace()
		if f.pos >= len(f.src) {
			return ErrInvalidEvent
		}
		switch f.src[f.pos] {
		case ',':
			f.pos++
		case ']':
			f.pos++
			return nil
		default:
			return ErrInvalidEvent
		}
	}
}

func (f *flattener) word(w string) bool {
	if !strings.HasPrefix(string(f.src[f.pos:min(len(f.src), f.pos+len(w))]), w) {
		return false
	}
	f.pos += len(w)
	return true
}

func (f *flattener) number() bool {
	s := f.src
	i := f.pos
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	f.pos = i
	return true
}

// str reads a JSON string starting at its opening quote. The result
// aliases the document or *buf and is valid until the next read.
func (f *flattener) str(buf *[]byte) ([]byte, error) {
	f.pos++
	start := f.pos
	for f.pos < len(f.src) {
		c := f.src[f.pos]
		if c == '"' {
			f.pos++
			return f.src[start : f.pos-1], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, ErrInvalidEvent
		}
		f.pos++
	}
	b := append((*buf)[:0], f.src[start:f.pos]...)
	defer func() { *buf = b }()
	for f.pos < len(f.src) {
		c := f.src[f.pos]
		switch {
		case c == '"':
			f.pos++
			return b, nil
		case c < 0x20:
			return nil, ErrInvalidEvent
		case c != '\\':
			b = append(b, c)
			f.pos++
			continue
		}
		f.pos++
		if f.pos >= len(f.src) {
			return nil, ErrInvalidEvent
		}
		e := f.src[f.pos]
		f.pos++
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
			r, ok := f.hex4()
			if !ok {
				return nil, ErrInvalidEvent
			}
			if utf16.IsSurrogate(r) && f.pos+1 < len(f.src) && f.src[f.pos] == '\\' && f.src[f.pos+1] == 'u' {
				save := f.pos
				f.pos += 2
				if r2, ok := f.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					f.pos = save
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return nil, ErrInvalidEvent
		}
	}
	return nil, ErrInvalidEvent
}

func (f *flattener) hex4() (rune, bool) {
	if f.pos+4 > len(f.src) {
		return 0, false
	}
	var r rune
	for _, c := range f.src[f.pos : f.pos+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	f.pos += 4
	return r, true
}
