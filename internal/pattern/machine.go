package pattern

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Matcher holds many patterns compiled into one state machine and finds
// every pattern that matches an event. Its cost per event depends on the
// event and on the patterns it matches, not on how many patterns it holds.
//
// Each pattern is a set of rules (one per combination of "$or" branches);
// each rule is a sequence of field steps ordered cheapest-first (exact
// values, then affixes and addresses, numeric ranges, negations, absence).
// Rules that begin with the same steps share states. From a state, every
// field the state tests is looked up in the flattened event, and each value
// is run through per-field indexes (hash maps for exact values, prefix and
// suffix tables, an interval tree for numeric ranges) that yield the next
// states directly. A key is reported when one of its rules' final states
// is reached.
//
// A Matcher is safe for concurrent use: Match and MatchAttributes run in
// parallel with each other, Add and Remove exclude them.
type Matcher[K comparable] struct {
	mu    sync.RWMutex
	root  *state
	rules map[K]*entry
	keys  []K
	free  []int32

	pathRefs map[string]int
	filter   *pathFilter
	nextID   uint64

	scratch    sync.Pool
	flatteners sync.Pool
}

// entry is one key's compiled pattern: the path of steps of each rule.
type entry struct {
	id    int32
	paths [][]hop
	end   []*state
}

// hop is one step of a rule through the machine.
type hop struct {
	from *state
	fm   *fieldMachine
	e    *edge
}

type state struct {
	id       uint64
	fields   []*fieldMachine
	byPath   map[string]*fieldMachine
	terminal map[int32]int
}

// fieldMachine holds the edges leaving one state that test one path.
type fieldMachine struct {
	path  string
	edges map[string]*edge
	mu    sync.Mutex
	index atomic.Pointer[fieldIndex]
}

// edge is one field step, shared by all rules with the same step here.
type edge struct {
	f    field
	next *state
	refs int
}

// NewMatcher returns an empty Matcher.
func NewMatcher[K comparable]() *Matcher[K] {
	m := &Matcher[K]{rules: map[K]*entry{}, pathRefs: map[string]int{}, filter: newPathFilter()}
	m.root = m.newState()
	m.scratch.New = func() any { return &scratch{} }
	m.flatteners.New = func() any { return &flattener{out: &flat{values: map[string][]*leaf{}}} }
	return m
}

func (m *Matcher[K]) newState() *state {
	m.nextID++
	return &state{id: m.nextID, byPath: map[string]*fieldMachine{}}
}

// Len returns the number of keys held.
func (m *Matcher[K]) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.rules)
}

// stepOrder sorts a rule's fields cheapest and most selective first.
func stepOrder(r rule) rule {
	out := slices.Clone(r)
	class := func(f field) int {
		c := 0
		for i := range f.ms {
			c = max(c, f.ms[i].class())
		}
		return c
	}
	slices.SortStableFunc(out, func(a, b field) int {
		return cmp.Or(cmp.Compare(class(a), class(b)), strings.Compare(a.path, b.path))
	})
	return out
}

func fieldSignature(f field) string {
	sigs := make([]string, len(f.ms))
	for i := range f.ms {
		sigs[i] = f.ms[i].signature()
	}
	slices.Sort(sigs)
	sigs = slices.Compact(sigs)
	return strings.Join(sigs, "|")
}

// Add compiles p into the machine under key, replacing any pattern the key
// already had.
func (m *Matcher[K]) Add(key K, p *Pattern) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rules[key]; ok {
		m.removeLocked(key)
	}
	var id int32
	if n := len(m.free); n > 0 {
		id, m.free = m.free[n-1], m.free[:n-1]
		m.keys[id] = key
	} else {
		id = int32(len(m.keys))
		m.keys = append(m.keys, key)
	}
	e := &entry{id: id}
	for _, r := range p.rules {
		cur := m.root
		var path []hop
		for _, f := range stepOrder(r) {
			fm := cur.byPath[f.path]
			if fm == nil {
				fm = &fieldMachine{path: f.path, edges: map[string]*edge{}}
				cur.byPath[f.path] = fm
				cur.fields = append(cur.fields, fm)
			}
			sig := fieldSignature(f)
			ed := fm.edges[sig]
			if ed == nil {
				ed = &edge{f: f, next: m.newState()}
				fm.edges[sig] = ed
				fm.index.Store(nil)
			}
			ed.refs++
			path = append(path, hop{from: cur, fm: fm, e: ed})
			if m.pathRefs[f.path] == 0 {
				m.filter.add(f.path)
			}
			m.pathRefs[f.path]++
			cur = ed.next
		}
		if cur.terminal == nil {
			cur.terminal = map[int32]int{}
		}
		cur.terminal[id]++
		e.paths = append(e.paths, path)
		e.end = append(e.end, cur)
	}
	m.rules[key] = e
}

// Remove deletes key's pattern. Removing an absent key does nothing.
func (m *Matcher[K]) Remove(key K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(key)
}

func (m *Matcher[K]) removeLocked(key K) {
	e, ok := m.rules[key]
	if !ok {
		return
	}
	delete(m.rules, key)
	var zero K
	m.keys[e.id] = zero
	m.free = append(m.free, e.id)
	rebuild := false
	for i, path := range e.paths {
		end := e.end[i]
		if end.terminal[e.id]--; end.terminal[e.id] == 0 {
			delete(end.terminal, e.id)
		}
		for j := len(path) - 1; j >= 0; j-- {
			h := path[j]
			if m.pathRefs[h.fm.path]--; m.pathRefs[h.fm.path] == 0 {
				delete(m.pathRefs, h.fm.path)
				rebuild = true
			}
			if h.e.refs--; h.e.refs > 0 {
				continue
			}
			delete(h.fm.edges, fieldSignature(h.e.f))
			h.fm.index.Store(nil)
			if len(h.fm.edges) == 0 {
				delete(h.from.byPath, h.fm.path)
				h.from.fields = slices.DeleteFunc(h.from.fields, func(x *fieldMachine) bool { return x == h.fm })
			}
		}
	}
	if rebuild {
		m.filter = newPathFilter()
		for p := range m.pathRefs {
			m.filter.add(p)
		}
	}
}

// Match returns out with every key whose pattern matches the JSON event
// appended, each once. It fails only if the event is not valid JSON; an
// event that is not a JSON object matches nothing.
func (m *Matcher[K]) Match(event []byte, out []K) ([]K, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f := m.flatteners.Get().(*flattener)
	defer func() {
		f.reset()
		m.flatteners.Put(f)
	}()
	fl, err := f.run(event, m.filter)
	if err != nil {
		return out, err
	}
	return m.run(fl, out), nil
}

// MatchAttributes returns out with every key whose pattern matches the
// message attributes appended, each once (SNS MessageAttributes scope).
func (m *Matcher[K]) MatchAttributes(attrs map[string]AttributeValue, out []K) []K {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.run(flattenAttributes(attrs), out)
}

type task struct {
	st     *state
	trails [][]arrayPos
}

type scratch struct {
	stack   []task
	seen    map[uint64]struct{}
	seenArr map[string]struct{}
	emitted map[int32]struct{}
	key     []byte
	next    []*state
}

func (m *Matcher[K]) run(fl *flat, out []K) []K {
	sc := m.scratch.Get().(*scratch)
	if sc.seen == nil {
		sc.seen, sc.seenArr, sc.emitted = map[uint64]struct{}{}, map[string]struct{}{}, map[int32]struct{}{}
	}
	defer func() {
		clear(sc.seen)
		clear(sc.seenArr)
		clear(sc.emitted)
		sc.stack = sc.stack[:0]
		m.scratch.Put(sc)
	}()
	push := func(st *state, trails [][]arrayPos) {
		if len(trails) == 0 {
			if _, ok := sc.seen[st.id]; ok {
				return
			}
			sc.seen[st.id] = struct{}{}
		} else {
			k := strconv.AppendUint(sc.key[:0], st.id, 36)
			for _, t := range trails {
				k = append(k, '/')
				for _, p := range t {
					k = strconv.AppendInt(k, int64(p.array), 36)
					k = append(k, ':')
					k = strconv.AppendInt(k, int64(p.index), 36)
					k = append(k, ',')
				}
			}
			sc.key = k
			if _, ok := sc.seenArr[string(k)]; ok {
				return
			}
			sc.seenArr[string(k)] = struct{}{}
		}
		sc.stack = append(sc.stack, task{st: st, trails: trails})
	}
	push(m.root, nil)
	for len(sc.stack) > 0 {
		t := sc.stack[len(sc.stack)-1]
		sc.stack = sc.stack[:len(sc.stack)-1]
		for id := range t.st.terminal {
			if _, ok := sc.emitted[id]; !ok {
				sc.emitted[id] = struct{}{}
				out = append(out, m.keys[id])
			}
		}
		for _, fm := range t.st.fields {
			idx := fm.compiled()
			values := fl.values[fm.path]
			if len(values) == 0 {
				for _, next := range idx.absent {
					push(next, t.trails)
				}
				continue
			}
			for _, l := range values {
				if !compatibleAll(l.trail, t.trails) {
					continue
				}
				trails := t.trails
				if len(l.trail) > 0 {
					trails = append(slices.Clip(trails), l.trail)
				}
				sc.next = idx.lookup(l, sc.next[:0])
				for _, next := range sc.next {
					push(next, trails)
				}
			}
		}
	}
	return out
}

func compatibleAll(tr []arrayPos, chosen [][]arrayPos) bool {
	if len(tr) == 0 {
		return true
	}
	for _, c := range chosen {
		if !compatible(tr, c) {
			return false
		}
	}
	return true
}

// compiled returns the field's lookup index, building it after a change.
func (fm *fieldMachine) compiled() *fieldIndex {
	if idx := fm.index.Load(); idx != nil {
		return idx
	}
	fm.mu.Lock()
	defer fm.mu.Unlock()
	if idx := fm.index.Load(); idx != nil {
		return idx
	}
	idx := buildIndex(fm.edges)
	fm.index.Store(idx)
	return idx
}
