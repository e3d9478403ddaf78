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

// wildcardComplexityLimit bounds how many wildcard prefixes of one field may
// be alive at once while a value is matched. AWS rejects patterns above its
// own limit with the "Rule is too complex" reason; Overcast measures the
// same property (simultaneously active states of the field's wildcard
// automaton) and uses this bound.
const wildcardComplexityLimit = 10

// wildcardComplexity explores the automaton of all wildcard operands on one
// field and returns the largest number of wildcard prefixes that an input
// can have passed at the same time.
func wildcardComplexity(ws []*wildcard) int {
	type state struct{ w, seg, off int } // off < len(seg): inside segment; off == -1: in the loop after seg
	alphabet := map[byte]bool{}
	for _, w := range ws {
		for _, s := range w.segs {
			for i := 0; i < len(s); i++ {
				alphabet[s[i]] = true
			}
		}
	}
	letters := make([]int, 0, len(alphabet)+1)
	for b := range alphabet {
		letters = append(letters, int(b))
	}
	letters = append(letters, -1) // any byte used by no operand

	// closure adds the states reachable without input.
	var closure func(set map[state]bool, s state)
	closure = func(set map[state]bool, s state) {
		if set[s] {
			return
		}
		set[s] = true
		w := ws[s.w]
		if s.off >= 0 && s.off == len(w.segs[s.seg]) && s.seg < len(w.segs)-1 {
			closure(set, state{s.w, s.seg, -1})
		}
		if s.off == -1 {
			closure(set, state{s.w, s.seg + 1, 0})
		}
	}
	start := map[state]bool{}
	for i := range ws {
		closure(start, state{i, 0, 0})
	}
	key := func(set map[state]bool) string {
		keys := make([]state, 0, len(set))
		for s := range set {
			keys = append(keys, s)
		}
		slices.SortFunc(keys, func(a, b state) int {
			return cmp.Or(cmp.Compare(a.w, b.w), cmp.Compare(a.seg, b.seg), cmp.Compare(a.off, b.off))
		})
		var b strings.Builder
		for _, s := range keys {
			b.WriteString(strconv.Itoa(s.w) + "/" + strconv.Itoa(s.seg) + "/" + strconv.Itoa(s.off) + ";")
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
				w := ws[s.w]
				switch {
				case s.off == -1:
					closure(next, s)
				case s.off < len(w.segs[s.seg]) && c >= 0 && w.segs[s.seg][s.off] == byte(c):
					closure(next, state{s.w, s.seg, s.off + 1})
				}
			}
			if len(next) == 0 {
				continue
			}
			// Each wildcard prefix of an operand that the input has passed
			// counts once, however many offsets inside it are alive.
			passed := map[[2]int]bool{}
			for s := range next {
				if s.seg > 0 || s.off == -1 {
					passed[[2]int{s.w, s.seg}] = true
				}
			}
			active := len(passed)
			worst = max(worst, active)
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
