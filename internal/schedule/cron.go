package schedule

import (
	"strconv"
	"strings"
	"time"
)

// cronSpec is a parsed six-field cron expression.
type cronSpec struct {
	minutes, hours, months, years bitset
	// anyDOM / anyDOW: the field is "?" (or "*"), leaving the day to the other field.
	dom dayOfMonth
	dow dayOfWeek
}

// bitset holds allowed values, offset by its field's minimum.
type bitset struct {
	min  int
	bits []bool
}

func (b bitset) has(v int) bool {
	i := v - b.min
	return i >= 0 && i < len(b.bits) && b.bits[i]
}

type dayOfMonth struct {
	question bool
	all      bool
	days     bitset
	last     bool  // L
	lastWeek bool  // LW
	weekday  []int // nW
}

type dayOfWeek struct {
	question bool
	all      bool
	days     bitset // 1..7, SUN=1
	lastOf   []int  // nL
	nth      [][2]int
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, invalid("cron(%s) needs 6 fields, has %d", body, len(f))
	}
	c := &cronSpec{}
	var err error
	if c.minutes, err = parseField(f[0], 0, 59, nil); err != nil {
		return nil, err
	}
	if c.hours, err = parseField(f[1], 0, 23, nil); err != nil {
		return nil, err
	}
	if c.months, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return nil, err
	}
	if c.years, err = parseField(f[5], 1970, 2199, nil); err != nil {
		return nil, err
	}
	if c.dom, err = parseDOM(f[2]); err != nil {
		return nil, err
	}
	if c.dow, err = parseDOW(f[4]); err != nil {
		return nil, err
	}
	// One of the day fields must be "?": AWS does not combine them.
	if c.dom.question == c.dow.question {
		return nil, invalid("exactly one of day-of-month and day-of-week must be ?")
	}
	return c, nil
}

// parseField parses a list of values, ranges, "*" and increments within [lo, hi].
func parseField(s string, lo, hi int, names map[string]int) (bitset, error) {
	b := bitset{min: lo, bits: make([]bool, hi-lo+1)}
	for _, item := range strings.Split(s, ",") {
		if err := addItem(&b, item, lo, hi, names); err != nil {
			return b, err
		}
	}
	return b, nil
}

func addItem(b *bitset, item string, lo, hi int, names map[string]int) error {
	rng, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		n, err := number(stepText, nil)
		if err != nil || n <= 0 || n > hi-lo+1 {
			return invalid("bad increment %q", item)
		}
		step = n
	}
	from, to := lo, hi
	switch {
	case rng == "*":
	case strings.Contains(rng, "-"):
		a, z, _ := strings.Cut(rng, "-")
		var err error
		if from, err = number(a, names); err != nil {
			return invalid("bad range %q", item)
		}
		if to, err = number(z, names); err != nil {
			return invalid("bad range %q", item)
		}
	default:
		n, err := number(rng, names)
		if err != nil {
			return invalid("bad value %q", item)
		}
		from = n
		if !hasStep {
			to = n
		}
	}
	if from < lo || from > hi || to < lo || to > hi {
		return invalid("value out of range in %q", item)
	}
	if from <= to {
		for v := from; v <= to; v += step {
			b.bits[v-lo] = true
		}
		return nil
	}
	// A range that wraps around (FRI-MON, NOV-FEB).
	n := hi - lo + 1
	for i := 0; i <= (to-lo+n-(from-lo))%n; i += step {
		b.bits[(from-lo+i)%n] = true
	}
	return nil
}

func number(s string, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	if s == "" || len(s) > 4 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, ErrInvalid
	}
	return strconv.Atoi(s)
}

func parseDOM(s string) (dayOfMonth, error) {
	d := dayOfMonth{days: bitset{min: 1, bits: make([]bool, 31)}}
	switch s {
	case "?":
		d.question = true
		return d, nil
	case "*":
		d.all = true
		return d, nil
	}
	for _, item := range strings.Split(s, ",") {
		switch {
		case item == "L":
			d.last = true
		case item == "LW":
			d.lastWeek = true
		case strings.HasSuffix(item, "W"):
			n, err := number(strings.TrimSuffix(item, "W"), nil)
			if err != nil || n < 1 || n > 31 {
				return d, invalid("bad day-of-month %q", item)
			}
			d.weekday = append(d.weekday, n)
		default:
			if err := addItem(&d.days, item, 1, 31, nil); err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

func parseDOW(s string) (dayOfWeek, error) {
	d := dayOfWeek{days: bitset{min: 1, bits: make([]bool, 7)}}
	switch s {
	case "?":
		d.question = true
		return d, nil
	case "*":
		d.all = true
		return d, nil
	}
	for _, item := range strings.Split(s, ",") {
		switch {
		case item == "L":
			d.lastOf = append(d.lastOf, 7)
		case strings.Contains(item, "#"):
			a, k, _ := strings.Cut(item, "#")
			n, err1 := number(a, dayNames)
			w, err2 := number(k, nil)
			if err1 != nil || err2 != nil || n < 1 || n > 7 || w < 1 || w > 5 {
				return d, invalid("bad day-of-week %q", item)
			}
			d.nth = append(d.nth, [2]int{n, w})
		case len(item) > 1 && strings.HasSuffix(item, "L"):
			n, err := number(strings.TrimSuffix(item, "L"), dayNames)
			if err != nil || n < 1 || n > 7 {
				return d, invalid("bad day-of-week %q", item)
			}
			d.lastOf = append(d.lastOf, n)
		default:
			if err := addItem(&d.days, item, 1, 7, dayNames); err != nil {
				return d, err
			}
		}
	}
	return d, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayMatches reports whether the date y-m-d is one of the spec's days.
func (c *cronSpec) dayMatches(y int, m time.Month, d int) bool {
	wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // SUN=1
	last := daysIn(y, m)
	if !c.dom.question {
		dm := c.dom
		if dm.all || dm.days.has(d) || (dm.last && d == last) {
			return true
		}
		if dm.lastWeek && d == nearestWeekday(y, m, last) {
			return true
		}
		for _, n := range dm.weekday {
			if n <= last && d == nearestWeekday(y, m, n) {
				return true
			}
		}
		return false
	}
	dw := c.dow
	if dw.all || dw.days.has(wd) {
		return true
	}
	for _, n := range dw.lastOf {
		if wd == n && d+7 > last {
			return true
		}
	}
	for _, nk := range dw.nth {
		if wd == nk[0] && (d-1)/7+1 == nk[1] {
			return true
		}
	}
	return false
}

// nearestWeekday is the weekday (Monday to Friday) nearest to day n of the month, never
// leaving the month.
func nearestWeekday(y int, m time.Month, n int) int {
	last := daysIn(y, m)
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

// next returns the first matching minute strictly after t, in t's location.
func (c *cronSpec) next(t time.Time) (time.Time, bool) {
	loc := t.Location()
	t = t.Truncate(time.Minute).Add(time.Minute)
	// Each step moves forward by at least a minute and skips whole units that cannot
	// match, so the loop is bounded by the number of years, months, days, hours and
	// minutes it may visit.
	for range 1_000_000 {
		y, m, d := t.Date()
		if y > 2199 {
			return time.Time{}, false
		}
		switch {
		case !c.years.has(y):
			t = time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
		case !c.months.has(int(m)):
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
		case !c.dayMatches(y, m, d):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		case !c.hours.has(t.Hour()):
			nt := time.Date(y, m, d, t.Hour()+1, 0, 0, 0, loc)
			if !nt.After(t) { // a daylight saving fold
				nt = t.Add(time.Hour).Truncate(time.Hour)
			}
			t = nt
		case !c.minutes.has(t.Minute()):
			t = t.Add(time.Minute)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}
