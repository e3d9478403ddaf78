package pattern

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// gen builds random patterns and events over a small vocabulary so that
// they match often enough to exercise every operator.
type gen struct{ r *rand.Rand }

var (
	genPaths   = []string{"a", "b", "c.d", "c.e", "arr.x", "arr.y"}
	genStrings = []string{"x", "xy", "yx", "Xy", "", "10.0.0.1", "10.0.1.7", "a*b", "2001:db8::1"}
	genNumbers = []string{"1", "2.5", "3", "-1", "300", "3e2", "1e12", "0.000001"}
)

func (g gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g gen) scalar() string {
	switch g.r.IntN(5) {
	case 0, 1:
		return fmt.Sprintf("%q", g.pick(genStrings))
	case 2, 3:
		return g.pick(genNumbers)
	}
	return g.pick([]string{"true", "false", "null"})
}

func (g gen) operand() string {
	s := fmt.Sprintf("%q", g.pick(genStrings[:4]))
	switch g.r.IntN(16) {
	case 0:
		return g.scalar()
	case 1:
		return `{"prefix":` + s + `}`
	case 2:
		return `{"suffix":` + s + `}`
	case 3:
		return `{"equals-ignore-case":` + s + `}`
	case 4:
		return `{"prefix":{"equals-ignore-case":` + s + `}}`
	case 5:
		return `{"suffix":{"equals-ignore-case":` + s + `}}`
	case 6:
		return `{"wildcard":"` + g.pick([]string{"x*", "*y", "*", "x*y", "a\\\\*b"}) + `"}`
	case 7:
		lo := g.r.IntN(5) - 1
		return fmt.Sprintf(`{"numeric":[">=",%d,"<",%d]}`, lo, lo+g.r.IntN(400)+1)
	case 8:
		return `{"numeric":["` + g.pick([]string{"<", "<=", ">", ">=", "="}) + `",` + g.pick(genNumbers[:5]) + `]}`
	case 9:
		return `{"anything-but":[` + s + `,"xy"]}`
	case 10:
		return `{"anything-but":` + g.pick(genNumbers[:5]) + `}`
	case 11:
		return `{"anything-but":{"` + g.pick([]string{"prefix", "suffix", "equals-ignore-case"}) + `":` + strings.Replace(s, `""`, `"x"`, 1) + `}}`
	case 12:
		return `{"anything-but":{"wildcard":["x*","*b"]}}`
	case 13:
		return `{"exists":` + g.pick([]string{"true", "false"}) + `}`
	case 14:
		return `{"cidr":"` + g.pick([]string{"10.0.0.0/24", "10.0.0.0/8", "2001:db8::/32"}) + `"}`
	}
	return fmt.Sprintf("%q", g.pick(genStrings))
}

func (g gen) fields(n int) string {
	var parts []string
	used := map[string]bool{}
	for range n {
		p := g.pick(genPaths)
		if used[p] {
			continue
		}
		used[p] = true
		ops := make([]string, 1+g.r.IntN(3))
		for i := range ops {
			ops[i] = g.operand()
		}
		parts = append(parts, nest(p, "["+strings.Join(ops, ",")+"]"))
	}
	if g.r.IntN(4) == 0 {
		parts = append(parts, `"$or":[{`+g.fields(1)+`},{`+g.fields(2)+`}]`)
	}
	return strings.Join(parts, ",")
}

// nest writes a dotted path as nested objects, or keeps the dots.
func nest(path, value string) string {
	head, rest, ok := strings.Cut(path, ".")
	if !ok || rand.IntN(2) == 0 {
		return fmt.Sprintf("%q:%s", path, value)
	}
	return fmt.Sprintf("%q:{%s}", head, nest(rest, value))
}

func (g gen) pattern() string { return "{" + g.fields(1+g.r.IntN(3)) + "}" }

func (g gen) value() string {
	if g.r.IntN(4) == 0 {
		vals := make([]string, g.r.IntN(3))
		for i := range vals {
			vals[i] = g.scalar()
		}
		return "[" + strings.Join(vals, ",") + "]"
	}
	return g.scalar()
}

func (g gen) event() string {
	var parts []string
	for _, p := range []string{"a", "b"} {
		if g.r.IntN(4) != 0 {
			parts = append(parts, fmt.Sprintf("%q:%s", p, g.value()))
		}
	}
	if g.r.IntN(4) != 0 {
		parts = append(parts, fmt.Sprintf(`"c":{"d":%s,"e":%s}`, g.value(), g.value()))
	}
	if g.r.IntN(3) != 0 {
		elems := make([]string, g.r.IntN(4))
		for i := range elems {
			elems[i] = fmt.Sprintf(`{"x":%s,"y":%s}`, g.value(), g.value())
		}
		parts = append(parts, `"arr":[`+strings.Join(elems, ",")+`]`)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestMatcherAgreesWithPatterns checks the shared state machine against the
// rule-by-rule evaluation of each pattern on random patterns and events,
// before and after removing patterns.
func TestMatcherAgreesWithPatterns(t *testing.T) {
	t.Parallel()
	g := gen{rand.New(rand.NewPCG(1, 2))}
	for round := range 40 {
		m := NewMatcher[int]()
		patterns := map[int]*Pattern{}
		docs := map[int]string{}
		for i := 0; len(patterns) < 60 && i < 1000; i++ {
			doc := g.pattern()
			p, err := ParseEventPattern([]byte(doc))
			if err != nil {
				continue
			}
			id := len(docs)
			patterns[id], docs[id] = p, doc
			m.Add(id, p)
		}
		check := func() {
			for range 50 {
				ev := g.event()
				var want []int
				for id, p := range patterns {
					ok, err := p.Matches([]byte(ev))
					require.NoError(t, err)
					if ok {
						want = append(want, id)
					}
				}
				got, err := m.Match([]byte(ev), nil)
				require.NoError(t, err)
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(want, got) {
					for _, id := range append(slices.Clone(want), got...) {
						if slices.Contains(want, id) != slices.Contains(got, id) {
							t.Fatalf("round %d: pattern %s on event %s: rule by rule %v, matcher %v",
								round, docs[id], ev, slices.Contains(want, id), slices.Contains(got, id))
						}
					}
				}
			}
		}
		check()
		for id := range patterns {
			if g.r.IntN(2) == 0 {
				m.Remove(id)
				delete(patterns, id)
			}
		}
		require.Equal(t, len(patterns), m.Len())
		check()
	}
}

func TestMatcherReplaceAndRemove(t *testing.T) {
	t.Parallel()
	m := NewMatcher[string]()
	p1, err := ParseEventPattern([]byte(`{"source":["a"]}`))
	require.NoError(t, err)
	p2, err := ParseEventPattern([]byte(`{"source":["b"]}`))
	require.NoError(t, err)
	m.Add("r", p1)
	m.Add("r", p2)
	got, err := m.Match([]byte(`{"source":"a"}`), nil)
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = m.Match([]byte(`{"source":"b"}`), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"r"}, got)
	m.Remove("r")
	m.Remove("absent")
	got, err = m.Match([]byte(`{"source":"b"}`), nil)
	require.NoError(t, err)
	require.Empty(t, got)
	_, err = m.Match([]byte(`{"source":`), nil)
	require.ErrorIs(t, err, ErrInvalidEvent)
	got, err = m.Match([]byte(`[{"source":"b"}]`), nil)
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestMatcherConcurrentUse(t *testing.T) {
	t.Parallel()
	m := NewMatcher[int]()
	p, err := ParseEventPattern([]byte(`{"detail":{"amount":[{"numeric":[">",10]}],"state":[{"prefix":"run"}]}}`))
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			m.Add(i%20, p)
			if i%3 == 0 {
				m.Remove(i % 7)
			}
		}
	}()
	ev := []byte(`{"detail":{"amount":11,"state":"running"}}`)
	for range 200 {
		_, err := m.Match(ev, nil)
		require.NoError(t, err)
	}
	<-done
	got, err := m.Match(ev, nil)
	require.NoError(t, err)
	require.Len(t, got, m.Len())
}
