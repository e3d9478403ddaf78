package pattern

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps a rune to one representative of its case-folding orbit, so
// that two strings are equal ignoring case exactly when their folded forms
// are equal.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	low := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		low = min(low, f)
	}
	return low
}

// fold returns the case-folded form of s.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// wildcard is a compiled wildcard operand: literal segments separated by
// '*', each '*' matching any run of characters, including none.
type wildcard struct {
	segs []string
}

// parseWildcard validates a wildcard operand with AWS's rules. Positions in
// reasons count UTF-8 bytes of the operand in quotes, as AWS reports them.
func parseWildcard(s string) (*wildcard, error) {
	w := &wildcard{}
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return nil, &reasonError{"Consecutive wildcard characters at pos " + strconv.Itoa(i+1)}
			}
			w.segs = append(w.segs, string(cur))
			cur = cur[:0]
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '\\') {
				cur = append(cur, s[i+1])
				i++
				continue
			}
			return nil, &reasonError{"Invalid escape character at pos " + strconv.Itoa(i+1)}
		default:
			cur = append(cur, c)
		}
	}
	w.segs = append(w.segs, string(cur))
	return w, nil
}

func (w *wildcard) match(v string) bool {
	segs := w.segs
	if len(segs) == 1 {
		return v == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(v) < len(first)+len(last) || !strings.HasPrefix(v, first) || !strings.HasSuffix(v, last) {
		return false
	}
	mid := v[len(first) : len(v)-len(last)]
	for _, s := range segs[1 : len(segs)-1] {
		i := strings.Index(mid, s)
		if i < 0 {
			return false
		}
		mid = mid[i+len(s):]
	}
	return true
}

// literalPrefix is the text a matching value must start with.
func (w *wildcard) literalPrefix() string { return w.segs[0] }

// wildcardComplexityLimit bounds the complexity of the wildcard operands
// of one field, measured as AWS's event-ruler measures it: the largest
// number of operand prefixes (the text up to some position, a '*' counting
// as a position) that one input value matches as a whole. AWS rejects
// "*:*:*:*:*:event-bus/*" (complexity 10) and accepts
// "/Users/*/dir/dir/dir/dir/dir/doc.txt" (complexity 7); the bound is the
// largest value consistent with both.
const wildcardComplexityLimit = 9

// wildcardComplexity explores the automaton of all wildcard operands on one
// field and returns the largest number of operand prefixes that an input
// matches at once (see wildcardComplexityLimit).
func wildcardComplexity(ws []*wildcard) int {
	const star = -1
	// toks[w] spells operand w as bytes and stars; state {w, i} means the
	// input so far matches the first i tokens of operand w.
	toks := make([][]int, len(ws))
	alphabet := map[int]bool{}
	for w, wc := range ws {
		for j, seg := range wc.segs {
			if j > 0 {
				toks[w] = append(toks[w], star)
			}
			for i := 0; i < len(seg); i++ {
				toks[w] = append(toks[w], int(seg[i]))
				alphabet[int(seg[i])] = true
			}
		}
	}
	letters := make([]int, 0, len(alphabet)+1)
	for b := range alphabet {
		letters = append(letters, b)
	}
	letters = append(letters, -2) // any byte used by no operand
	type state struct{ w, i int }
	// closure adds s and the states a star matching nothing leads to.
	var closure func(set map[state]bool, s state)
	closure = func(set map[state]bool, s state) {
		for !set[s] {
			set[s] = true
			if s.i >= len(toks[s.w]) || toks[s.w][s.i] != star {
				return
			}
			s = state{s.w, s.i + 1}
		}
	}
	start := map[state]bool{}
	for w := range ws {
		closure(start, state{w, 0})
	}
	key := func(set map[state]bool) string {
		keys := make([]state, 0, len(set))
		for s := range set {
			keys = append(keys, s)
		}
		slices.SortFunc(keys, func(a, b state) int { return cmp.Or(cmp.Compare(a.w, b.w), cmp.Compare(a.i, b.i)) })
		var b strings.Builder
		for _, s := range keys {
			b.WriteString(strconv.Itoa(s.w) + "/" + strconv.Itoa(s.i) + ";")
		}
		return b.String()
	}
	worst := 0
	seen := map[string]bool{key(start): true}
	pending := []map[state]bool{start}
	for len(pending) > 0 && len(seen) < 10_000 {
		set := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		for _, c := range letters {
			next := map[state]bool{}
			for s := range set {
				t := toks[s.w]
				if s.i > 0 && t[s.i-1] == star {
					closure(next, s) // the star takes c
				}
				if s.i < len(t) && t[s.i] == c {
					closure(next, state{s.w, s.i + 1})
				}
			}
			if len(next) == 0 {
				continue
			}
			worst = max(worst, len(next))
			if worst > wildcardComplexityLimit {
				return worst
			}
			if k := key(next); !seen[k] {
				seen[k] = true
				pending = append(pending, next)
			}
		}
	}
	return worst
}
