package logs

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// record is one log event, or one row of stats, as a query sees it. Values are string,
// float64, bool, tsValue or nil (JSON null).
type record map[string]any

// tsValue is a time in unix milliseconds (@timestamp, @ingestionTime, bin()).
type tsValue int64

// insightsTimeLayout is how Logs Insights prints times.
const insightsTimeLayout = "2006-01-02 15:04:05.000"

// maxQueryLimit is the most results a query returns.
const maxQueryLimit = 10_000

// queryInput is one event fed to a query.
type queryInput struct {
	rec   record
	bytes int
}

// queryResult is what running a query produced.
type queryResult struct {
	rows    [][]*ResultField
	matched int
}

// flattenJSON adds the fields of a JSON object message to rec, nested names joined by
// "." and array elements by index, as Logs Insights discovers them.
func flattenJSON(rec record, msg string) {
	msg = strings.TrimSpace(msg)
	if !strings.HasPrefix(msg, "{") {
		return
	}
	var v map[string]any
	if json.Unmarshal([]byte(msg), &v) != nil {
		return
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				walk(joinField(prefix, k), x)
			}
		case []any:
			for i, x := range t {
				walk(joinField(prefix, strconv.Itoa(i)), x)
			}
		default:
			if _, taken := rec[prefix]; !taken {
				rec[prefix] = t
			}
		}
	}
	walk("", v)
}

func joinField(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// run applies the query to events (in any order) and returns at most limit rows.
func (q *query) run(events []queryInput, limit int) *queryResult {
	recs := make([]record, len(events))
	for i, e := range events {
		recs[i] = e.rec
	}
	var (
		projection []string
		display    bool
		stats      bool
		sorted     bool
		matched    = -1
	)
	for _, c := range q.cmds {
		switch c := c.(type) {
		case *fieldsCmd:
			for _, r := range recs {
				for _, it := range c.items {
					if _, isField := it.expr.(*fieldExpr); isField && it.name == it.expr.(*fieldExpr).name {
						continue
					}
					r[it.name] = eval(it.expr, r)
				}
			}
			names := make([]string, 0, len(c.items))
			for _, it := range c.items {
				names = append(names, it.name)
			}
			if c.display {
				projection, display = names, true
			} else if !display {
				for _, n := range names {
					if !slices.Contains(projection, n) {
						projection = append(projection, n)
					}
				}
			}
		case *filterCmd:
			kept := recs[:0]
			for _, r := range recs {
				if truthy(eval(c.cond, r)) {
					kept = append(kept, r)
				}
			}
			recs = kept
		case *parseCmd:
			for _, r := range recs {
				c.apply(r)
			}
		case *statsCmd:
			if matched < 0 {
				matched = len(recs)
			}
			recs = c.apply(recs)
			stats = true
			projection, display = nil, true
			for _, b := range c.by {
				projection = append(projection, b.name)
			}
			for _, a := range c.aggs {
				projection = append(projection, a.name)
			}
		case *sortCmd:
			sortRecords(recs, c.keys)
			sorted = true
		case *limitCmd:
			limit = min(limit, c.n)
		}
	}
	if matched < 0 {
		matched = len(recs)
	}
	if !sorted && !stats {
		sortRecords(recs, []sortKey{{field: "@timestamp", desc: true}})
	}
	if len(recs) > limit {
		recs = recs[:limit]
	}
	if projection == nil {
		projection = []string{"@timestamp", "@message", "@logStream", "@log"}
	}
	out := &queryResult{matched: matched, rows: make([][]*ResultField, 0, len(recs))}
	for _, r := range recs {
		row := make([]*ResultField, 0, len(projection)+1)
		for _, name := range projection {
			v, ok := r[name]
			if !ok || v == nil {
				continue
			}
			row = append(row, &ResultField{Field: ptr(name), Value: ptr(formatValue(v))})
		}
		if p, ok := r["@ptr"]; ok && !stats {
			row = append(row, &ResultField{Field: ptr("@ptr"), Value: ptr(formatValue(p))})
		}
		out.rows = append(out.rows, row)
	}
	return out
}

// apply sets the fields a parse extracts from its source field.
func (c *parseCmd) apply(r record) {
	src, ok := r[c.source]
	if !ok {
		return
	}
	s := formatValue(src)
	if c.glob != nil {
		m := c.glob.FindStringSubmatch(s)
		if m == nil {
			return
		}
		for i, n := range c.names {
			r[n] = m[i+1]
		}
		return
	}
	m := c.re.FindStringSubmatch(s)
	if m == nil {
		return
	}
	for i, n := range c.re.SubexpNames() {
		if n != "" {
			r[n] = m[i]
		}
	}
}

// aggState accumulates one aggregate of one group.
type aggState struct {
	count    float64
	sum      float64
	min, max any
	distinct map[string]bool
}

// apply groups records by the by expressions and computes the aggregates.
func (c *statsCmd) apply(recs []record) []record {
	type group struct {
		key  string
		by   []any
		aggs []*aggState
	}
	groups := map[string]*group{}
	var order []*group
	for _, r := range recs {
		by := make([]any, len(c.by))
		var kb strings.Builder
		for i, b := range c.by {
			by[i] = eval(b.expr, r)
			if by[i] == nil {
				kb.WriteString("\x01")
			} else {
				kb.WriteString(formatValue(by[i]))
			}
			kb.WriteByte(0)
		}
		g, ok := groups[kb.String()]
		if !ok {
			g = &group{key: kb.String(), by: by, aggs: make([]*aggState, len(c.aggs))}
			for i := range g.aggs {
				g.aggs[i] = &aggState{distinct: map[string]bool{}}
			}
			groups[g.key] = g
			order = append(order, g)
		}
		for i, a := range c.aggs {
			st := g.aggs[i]
			if a.arg == nil {
				st.count++
				continue
			}
			v := eval(a.arg, r)
			if v == nil {
				continue
			}
			switch a.fn {
			case "count":
				st.count++
			case "count_distinct":
				st.distinct[formatValue(v)] = true
			case "min":
				if st.min == nil || compareValues(v, st.min) < 0 {
					st.min = v
				}
			case "max":
				if st.max == nil || compareValues(v, st.max) > 0 {
					st.max = v
				}
			default:
				if f, ok := toNumber(v); ok {
					st.count++
					st.sum += f
				}
			}
		}
	}
	out := make([]record, 0, len(order))
	for _, g := range order {
		r := record{}
		for i, b := range c.by {
			if g.by[i] != nil {
				r[b.name] = g.by[i]
			}
		}
		for i, a := range c.aggs {
			st := g.aggs[i]
			switch a.fn {
			case "count":
				r[a.name] = st.count
			case "count_distinct":
				r[a.name] = float64(len(st.distinct))
			case "sum":
				r[a.name] = st.sum
			case "avg":
				if st.count > 0 {
					r[a.name] = st.sum / st.count
				}
			case "min":
				r[a.name] = st.min
			case "max":
				r[a.name] = st.max
			}
		}
		out = append(out, r)
	}
	// Groups come out in the order of their keys, so time bins read chronologically.
	if len(c.by) > 0 {
		slices.SortStableFunc(out, func(a, b record) int {
			for _, k := range c.by {
				if n := compareValues(a[k.name], b[k.name]); n != 0 {
					return n
				}
			}
			return 0
		})
	}
	return out
}

// sortRecords orders records by keys; records missing a key sort last.
func sortRecords(recs []record, keys []sortKey) {
	slices.SortStableFunc(recs, func(a, b record) int {
		for _, k := range keys {
			av, aok := a[k.field]
			bv, bok := b[k.field]
			switch {
			case !aok && !bok:
				continue
			case !aok:
				return 1
			case !bok:
				return -1
			}
			n := compareValues(av, bv)
			if k.desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return 0
	})
}

// eval computes an expression over a record; nil means the value is absent.
func eval(x expr, r record) any {
	switch x := x.(type) {
	case *fieldExpr:
		return r[x.name]
	case *litExpr:
		return x.val
	case *regexExpr:
		return x
	case *notExpr:
		return !truthy(eval(x.x, r))
	case *inExpr:
		v := eval(x.x, r)
		found := false
		if v != nil {
			for _, item := range x.list {
				if w := eval(item, r); w != nil && compareValues(v, w) == 0 {
					found = true
					break
				}
			}
		}
		return found != x.neg
	case *binaryExpr:
		switch x.op {
		case "and":
			return truthy(eval(x.left, r)) && truthy(eval(x.right, r))
		case "or":
			return truthy(eval(x.left, r)) || truthy(eval(x.right, r))
		}
		l, rv := eval(x.left, r), eval(x.right, r)
		switch x.op {
		case "like":
			if l == nil {
				return false
			}
			s := formatValue(l)
			switch p := rv.(type) {
			case *regexExpr:
				return p.re.MatchString(s)
			case string:
				return strings.Contains(s, p)
			}
			return false
		case "+", "-", "*":
			a, ok1 := toNumber(l)
			b, ok2 := toNumber(rv)
			if !ok1 || !ok2 {
				return nil
			}
			switch x.op {
			case "+":
				return a + b
			case "-":
				return a - b
			}
			return a * b
		}
		if l == nil || rv == nil {
			return false
		}
		if re, ok := rv.(*regexExpr); ok {
			m := re.re.MatchString(formatValue(l))
			return m == (x.op == "=")
		}
		n := compareValues(l, rv)
		switch x.op {
		case "=":
			return n == 0
		case "!=":
			return n != 0
		case "<":
			return n < 0
		case "<=":
			return n <= 0
		case ">":
			return n > 0
		case ">=":
			return n >= 0
		}
	case *callExpr:
		return evalCall(x, r)
	}
	return nil
}

func evalCall(x *callExpr, r record) any {
	if x.fn == "bin" {
		ts, ok := r["@timestamp"].(tsValue)
		if !ok {
			return nil
		}
		p := x.args[0].(*litExpr).val.(time.Duration).Milliseconds()
		return tsValue(int64(ts) - int64(ts)%p)
	}
	args := make([]any, len(x.args))
	for i, a := range x.args {
		args[i] = eval(a, r)
	}
	switch x.fn {
	case "ispresent":
		return args[0] != nil
	case "isempty":
		return args[0] == nil || formatValue(args[0]) == ""
	case "isblank":
		return args[0] == nil || strings.TrimSpace(formatValue(args[0])) == ""
	case "concat":
		var b strings.Builder
		for _, a := range args {
			if a != nil {
				b.WriteString(formatValue(a))
			}
		}
		return b.String()
	}
	if args[0] == nil {
		return nil
	}
	switch x.fn {
	case "tolower":
		return strings.ToLower(formatValue(args[0]))
	case "toupper":
		return strings.ToUpper(formatValue(args[0]))
	case "trim":
		return strings.TrimSpace(formatValue(args[0]))
	case "strlen":
		return float64(len([]rune(formatValue(args[0]))))
	}
	f, ok := toNumber(args[0])
	if !ok {
		return nil
	}
	switch x.fn {
	case "abs":
		return math.Abs(f)
	case "floor":
		return math.Floor(f)
	case "ceil":
		return math.Ceil(f)
	}
	return nil
}

// truthy is a filter's verdict on a value.
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case nil:
		return false
	case string:
		return t != ""
	case float64:
		return t != 0
	}
	return true
}

// toNumber reads a value as a number: numbers, times and numeric strings.
func toNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case tsValue:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return f, err == nil
	}
	return 0, false
}

// compareValues orders two values: numerically when both read as numbers, else as
// strings. A time compares with a string written in Insights' time layout.
func compareValues(a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return 1
		}
		return -1
	}
	_, aNum := a.(float64)
	_, bNum := b.(float64)
	_, aTs := a.(tsValue)
	_, bTs := b.(tsValue)
	if aNum || bNum || aTs && bTs {
		x, ok1 := toNumber(a)
		y, ok2 := toNumber(b)
		if ok1 && ok2 {
			return cmp.Compare(x, y)
		}
	}
	return strings.Compare(formatValue(a), formatValue(b))
}

// formatValue renders a value as Logs Insights returns it.
func formatValue(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case tsValue:
		return time.UnixMilli(int64(t)).UTC().Format(insightsTimeLayout)
	case nil:
		return ""
	case *regexExpr:
		return t.re.String()
	}
	return ""
}
