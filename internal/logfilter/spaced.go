package logfilter

import "strings"

// fieldCond is one condition of a space-delimited field; op is meaningful only when lit
// is set (a bare field name is always true).
type fieldCond struct {
	op  op
	lit *literal
}

func (c *fieldCond) eval(text string, num float64, isNum bool) bool {
	if c.lit == nil {
		return true
	}
	return c.lit.compare(c.op, text, num, isNum)
}

// slot is one comma-separated position of a space-delimited pattern: "..." or a named
// field with conditions in disjunctive normal form (any group whose conditions all hold).
type slot struct {
	ellipsis bool
	name     string
	anyOf    [][]fieldCond
}

func (s *slot) accepts(field string) bool {
	num, isNum := parseNumber(field)
	for _, group := range s.anyOf {
		ok := true
		for i := range group {
			if !group[i].eval(field, num, isNum) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// spacedMatcher matches a space-delimited pattern.
type spacedMatcher struct {
	slots       []slot
	hasEllipsis bool
}

func (m *spacedMatcher) match(msg string) bool {
	fields := splitFields(msg)
	if !m.hasEllipsis {
		if len(fields) != len(m.slots) {
			return false
		}
		for i, f := range fields {
			if !m.slots[i].accepts(f) {
				return false
			}
		}
		return true
	}
	// Simulate the pattern as an automaton over the fields: state i means slots[:i] have
	// matched. An ellipsis consumes any number of fields, including none.
	n := len(m.slots)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	cur[0] = true
	m.closure(cur)
	for _, f := range fields {
		clear(next)
		live := false
		for i := 0; i < n; i++ {
			if !cur[i] {
				continue
			}
			if m.slots[i].ellipsis {
				next[i] = true
				live = true
			} else if m.slots[i].accepts(f) {
				next[i+1] = true
				live = true
			}
		}
		if !live {
			return false
		}
		m.closure(next)
		cur, next = next, cur
	}
	return cur[n]
}

// closure lets every reachable ellipsis match no field.
func (m *spacedMatcher) closure(states []bool) {
	for i := 0; i < len(m.slots); i++ {
		if states[i] && m.slots[i].ellipsis {
			states[i+1] = true
		}
	}
}

// splitFields splits a message at blanks; text between double quotes or between square
// brackets is one field, without its delimiters.
func splitFields(msg string) []string {
	var out []string
	i := 0
	for i < len(msg) {
		if isSpace(msg[i]) {
			i++
			continue
		}
		var closer byte
		switch msg[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			end := strings.IndexByte(msg[i+1:], closer)
			if end < 0 {
				out = append(out, msg[i+1:])
				break
			}
			out = append(out, msg[i+1:i+1+end])
			i += end + 2
			continue
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

// compileSpaced parses [field, field = value, ..., field > 5].
func compileSpaced(s string) (matcher, error) {
	if !strings.HasSuffix(s, "]") {
		return nil, errSyntax
	}
	body := s[1 : len(s)-1]
	m := &spacedMatcher{}
	i := 0
	for {
		i = skipSpace(body, i)
		if i >= len(body) {
			if len(m.slots) == 0 {
				return nil, errSyntax
			}
			// A trailing comma stands for one more field without a name (the User
			// Guide's [..., request=*.html*, status_code=4*,] extracts it as $7).
			m.slots = append(m.slots, slot{anyOf: [][]fieldCond{{}}})
			return m, nil
		}
		var sl slot
		if strings.HasPrefix(body[i:], "...") {
			sl.ellipsis = true
			m.hasEllipsis = true
			i += 3
		} else {
			var err error
			sl, i, err = parseSlot(body, i)
			if err != nil {
				return nil, err
			}
		}
		m.slots = append(m.slots, sl)
		i = skipSpace(body, i)
		if i >= len(body) {
			return m, nil
		}
		if body[i] != ',' {
			return nil, errSyntax
		}
		i++
	}
}

// parseSlot reads one named field with its conditions, joined by && and ||. Every
// condition of a field must name that field.
func parseSlot(s string, i int) (slot, int, error) {
	var sl slot
	group := []fieldCond{}
	for {
		i = skipSpace(s, i)
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if j == i {
			return sl, i, errSyntax
		}
		name := s[i:j]
		if sl.name == "" {
			sl.name = name
		} else if name != sl.name {
			return sl, i, errSyntax
		}
		i = skipSpace(s, j)
		cond := fieldCond{}
		if o, next, ok := readOp(s, i); ok {
			lit, after, err := readLiteral(s, skipSpace(s, next), ",")
			if err != nil {
				return sl, i, err
			}
			if o != opEq && o != opNe && !lit.isNum {
				return sl, i, errSyntax
			}
			cond.op, cond.lit = o, lit
			i = skipSpace(s, after)
		}
		group = append(group, cond)
		switch {
		case strings.HasPrefix(s[i:], "&&"):
			i += 2
		case strings.HasPrefix(s[i:], "||"):
			sl.anyOf = append(sl.anyOf, group)
			group = []fieldCond{}
			i += 2
		default:
			sl.anyOf = append(sl.anyOf, group)
			return sl, i, nil
		}
	}
}
