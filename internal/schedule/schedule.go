// Package schedule parses and evaluates the schedule expressions of Amazon EventBridge
// rules and EventBridge Scheduler schedules: rate(value unit), AWS's six-field
// cron(minutes hours day-of-month month day-of-week year) and, for Scheduler,
// at(yyyy-mm-ddThh:mm:ss).
//
// Cron fields accept the wildcards AWS documents: "," lists, "-" ranges, "*" all values,
// "/" increments, "?" (any, in one of day-of-month or day-of-week, and required in one
// of them), "L" (last day of the month; "nL" the last weekday n of the month), "W"
// (nearest weekday to a day of the month, "LW" the last weekday of the month) and "#"
// ("n#k", the k-th weekday n of the month). Day-of-week runs 1-7 from SUN to SAT; months
// and weekdays also take their three-letter English names. Years run 1970-2199.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the form of an expression.
type Kind int

// The forms of an expression.
const (
	Rate Kind = iota + 1
	Cron
	At
)

// Expression is a parsed schedule expression.
type Expression struct {
	Kind Kind
	// Every is the period of a rate expression.
	Every time.Duration
	// When is the local wall time of an at expression (its location is applied by Next).
	When time.Time
	cron *cronSpec
	text string
}

// String returns the expression as written.
func (e *Expression) String() string { return e.text }

// Grammar is the dialect of the service that reads an expression.
type Grammar int

// The grammars.
const (
	// Rules is the grammar of EventBridge rules: rate() and cron(), and a rate unit that
	// agrees with its value (rate(1 minute), rate(5 minutes)).
	Rules Grammar = iota
	// Scheduler is EventBridge Scheduler's: at() too, and a rate unit singular or plural
	// whatever its value (AWS accepts rate(2 minute) there).
	Scheduler
)

// ErrInvalid reports an expression that does not parse.
var ErrInvalid = errors.New("schedule expression is not valid")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse parses an expression of grammar g. Errors wrap ErrInvalid.
func Parse(s string, g Grammar) (*Expression, error) {
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return nil, invalid("%q is not rate(...), cron(...) or at(...)", s)
	}
	body := s[open+1 : len(s)-1]
	var (
		e   *Expression
		err error
	)
	switch s[:open] {
	case "rate":
		e, err = parseRate(body, g)
	case "cron":
		var c *cronSpec
		c, err = parseCron(body)
		e = &Expression{Kind: Cron, cron: c}
	case "at":
		if g != Scheduler {
			return nil, invalid("at() is not allowed here")
		}
		var t time.Time
		t, err = time.Parse("2006-01-02T15:04:05", body)
		if err != nil {
			err = invalid("at(%s): %v", body, err)
		}
		e = &Expression{Kind: At, When: t}
	default:
		return nil, invalid("unknown expression type %q", s[:open])
	}
	if err != nil {
		return nil, err
	}
	e.text = s
	return e, nil
}

// maxRateValue bounds rate values so that the period fits a time.Duration.
const maxRateValue = 1_000_000

func parseRate(body string, g Grammar) (*Expression, error) {
	fields := strings.Fields(body)
	if len(fields) != 2 || strings.TrimSpace(body) != body {
		return nil, invalid("rate(%s) needs a value and a unit", body)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n <= 0 || n > maxRateValue || fields[0][0] == '+' || fields[0][0] == '0' {
		return nil, invalid("rate value %q is not a positive integer", fields[0])
	}
	var unit time.Duration
	switch strings.TrimSuffix(fields[1], "s") {
	case "minute":
		unit = time.Minute
	case "hour":
		unit = time.Hour
	case "day":
		unit = 24 * time.Hour
	default:
		return nil, invalid("rate unit %q is not minute(s), hour(s) or day(s)", fields[1])
	}
	// Rules want the singular unit for 1 and the plural for anything else.
	if plural := strings.HasSuffix(fields[1], "s"); g == Rules && plural != (n != 1) {
		return nil, invalid("rate unit %q does not agree with value %d", fields[1], n)
	}
	return &Expression{Kind: Rate, Every: time.Duration(n) * unit}, nil
}

// Next returns the first time strictly after after at which e fires, evaluated in loc
// (nil means UTC), and false when it never fires again. For a rate expression the
// periods count from start (a rule's creation time).
func (e *Expression) Next(after, start time.Time, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	switch e.Kind {
	case Rate:
		if after.Before(start) {
			return start.Add(e.Every), true
		}
		n := after.Sub(start)/e.Every + 1
		return start.Add(n * e.Every), true
	case At:
		w := e.When
		t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
		if t.After(after) {
			return t, true
		}
		return time.Time{}, false
	case Cron:
		return e.cron.next(after.In(loc))
	}
	return time.Time{}, false
}
