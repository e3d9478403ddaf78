package pattern

import (
	"cmp"
	"slices"
)

// fieldIndex answers, for one event value, which edges of a field machine
// it satisfies, without testing the edges one by one where the operator
// allows an index.
type fieldIndex struct {
	str    map[string][]*state
	ip     map[string][]*state
	num    map[int64][]*state
	lit    map[string][]*state // true, false, null
	numLit map[string][]*state // number literals, matched as written
	fold   map[string][]*state

	prefix, prefixFold, suffix, suffixFold affixTable

	wild   []wildEntry
	cidr   []cidrEntry
	ranges intervalTree
	exists []*state
	nots   []notEntry
	absent []*state
}

type wildEntry struct {
	w    *wildcard
	next *state
}

type cidrEntry struct {
	r    cidrRange
	next *state
}

type notEntry struct {
	m    *matcher
	next *state
}

// affixTable finds the operands that are a prefix (or suffix) of a value by
// probing one hash lookup per distinct operand length.
type affixTable struct {
	by   map[string][]*state
	lens []int
}

func (t *affixTable) add(s string, next *state) {
	if t.by == nil {
		t.by = map[string][]*state{}
	}
	if _, ok := t.by[s]; !ok {
		t.lens = append(t.lens, len(s))
	}
	t.by[s] = append(t.by[s], next)
}

func (t *affixTable) finish() {
	slices.Sort(t.lens)
	t.lens = slices.Compact(t.lens)
}

func (t *affixTable) prefixes(v string, out []*state) []*state {
	for _, n := range t.lens {
		if n > len(v) {
			break
		}
		out = append(out, t.by[v[:n]]...)
	}
	return out
}

func (t *affixTable) suffixes(v string, out []*state) []*state {
	for _, n := range t.lens {
		if n > len(v) {
			break
		}
		out = append(out, t.by[v[len(v)-n:]]...)
	}
	return out
}

func addTo[T comparable](m *map[T][]*state, k T, next *state) {
	if *m == nil {
		*m = map[T][]*state{}
	}
	(*m)[k] = append((*m)[k], next)
}

func buildIndex(edges map[string]*edge) *fieldIndex {
	idx := &fieldIndex{}
	var ranges []interval
	for _, e := range edges {
		for i := range e.f.ms {
			m := &e.f.ms[i]
			switch m.op {
			case opString:
				addTo(&idx.str, m.s, e.next)
				if m.ip != "" {
					addTo(&idx.ip, m.ip, e.next)
				}
			case opNumber:
				if m.ok {
					addTo(&idx.num, m.num, e.next)
				}
				addTo(&idx.numLit, m.s, e.next)
			case opLiteral:
				addTo(&idx.lit, m.s, e.next)
			case opEqualsFold:
				addTo(&idx.fold, m.s, e.next)
			case opPrefix:
				idx.prefix.add(m.s, e.next)
			case opPrefixFold:
				idx.prefixFold.add(m.s, e.next)
			case opSuffix:
				idx.suffix.add(m.s, e.next)
			case opSuffixFold:
				idx.suffixFold.add(m.s, e.next)
			case opWildcard:
				idx.wild = append(idx.wild, wildEntry{m.wc, e.next})
			case opCIDR:
				idx.cidr = append(idx.cidr, cidrEntry{m.cidr, e.next})
			case opRange:
				ranges = append(ranges, interval{lo: m.lo, hi: m.hi, next: e.next})
			case opExists:
				idx.exists = append(idx.exists, e.next)
			case opAbsent:
				idx.absent = append(idx.absent, e.next)
			default:
				idx.nots = append(idx.nots, notEntry{m, e.next})
			}
		}
	}
	idx.prefix.finish()
	idx.prefixFold.finish()
	idx.suffix.finish()
	idx.suffixFold.finish()
	idx.ranges = newIntervalTree(ranges)
	return idx
}

// lookup appends to out the next state of every edge that l satisfies.
// A state may appear more than once.
func (idx *fieldIndex) lookup(l *leaf, out []*state) []*state {
	switch l.kind {
	case kindString:
		out = append(out, idx.str[l.text]...)
		if idx.ip != nil || idx.cidr != nil {
			if a := l.addr(); a != nil {
				out = append(out, idx.ip[string(a)]...)
				for _, c := range idx.cidr {
					if c.r.contains(a) {
						out = append(out, c.next)
					}
				}
			}
		}
		out = idx.prefix.prefixes(l.text, out)
		out = idx.suffix.suffixes(l.text, out)
		if idx.fold != nil || idx.prefixFold.by != nil || idx.suffixFold.by != nil {
			f := l.fold()
			out = append(out, idx.fold[f]...)
			out = idx.prefixFold.prefixes(f, out)
			out = idx.suffixFold.suffixes(f, out)
		}
		for _, w := range idx.wild {
			if w.w.match(l.text) {
				out = append(out, w.next)
			}
		}
	case kindNumber:
		if n, ok := l.number(); ok {
			out = append(out, idx.num[n]...)
			out = idx.ranges.stab(n, out)
		}
		out = append(out, idx.numLit[l.text]...)
	default:
		out = append(out, idx.lit[l.literal()]...)
	}
	out = append(out, idx.exists...)
	for _, n := range idx.nots {
		if n.m.matches(l) {
			out = append(out, n.next)
		}
	}
	return out
}

type interval struct {
	lo, hi int64
	next   *state
}

// intervalTree is a static, implicitly balanced search tree over intervals
// sorted by lower bound, each node knowing the largest upper bound below
// it, so a stabbing query costs O(log n + matches).
type intervalTree struct {
	items []interval
	maxHi []int64
}

func newIntervalTree(items []interval) intervalTree {
	if len(items) == 0 {
		return intervalTree{}
	}
	slices.SortFunc(items, func(a, b interval) int { return cmp.Compare(a.lo, b.lo) })
	t := intervalTree{items: items, maxHi: make([]int64, len(items))}
	t.build(0, len(items))
	return t
}

func (t *intervalTree) build(lo, hi int) int64 {
	if lo >= hi {
		return minRange - 1
	}
	mid := (lo + hi) / 2
	m := max(t.items[mid].hi, t.build(lo, mid), t.build(mid+1, hi))
	t.maxHi[mid] = m
	return m
}

func (t *intervalTree) stab(n int64, out []*state) []*state {
	return t.query(0, len(t.items), n, out)
}

func (t *intervalTree) query(lo, hi int, n int64, out []*state) []*state {
	for lo < hi {
		mid := (lo + hi) / 2
		if t.maxHi[mid] < n {
			break
		}
		out = t.query(lo, mid, n, out)
		it := t.items[mid]
		if it.lo > n {
			break
		}
		if it.hi >= n {
			out = append(out, it.next)
		}
		lo = mid + 1
	}
	return out
}
