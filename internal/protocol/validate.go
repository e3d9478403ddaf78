package protocol

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// ViolationKind says which model constraint a value broke.
type ViolationKind int

const (
	// Missing: a required member is absent.
	Missing ViolationKind = iota
	// TooShort / TooLong: string, blob, list or map length outside min/max.
	TooShort
	TooLong
	// TooSmall / TooLarge: number outside its range.
	TooSmall
	TooLarge
	// BadPattern: string does not match the modeled pattern.
	BadPattern
	// BadEnum: string is not one of the modeled enum values.
	BadEnum
)

// Violation is one failed model constraint.
type Violation struct {
	Kind ViolationKind
	// Path is the member path with wire names, e.g. "Entries.1.Id" (list indexes are 1-based
	// as in AWS messages) or "QueueUrl".
	Path string
	// Value is the offending value rendered as AWS renders it; empty for Missing.
	Value string
	// Constraint is AWS's wording, e.g. "Member must not be null".
	Constraint string
	// Redacted: the value is sensitive and AWS does not quote it ("Value at 'password'").
	Redacted bool
}

// Validator collects violations while generated Validate methods walk an input.
type Validator struct {
	path []string
	v    []Violation
}

// Violations returns what was collected.
func (v *Validator) Violations() []Violation { return v.v }

// Push enters a member; Pop leaves it.
func (v *Validator) Push(name string) { v.path = append(v.path, name) }

// PushIndex enters list item i (0-based; rendered 1-based).
func (v *Validator) PushIndex(i int) { v.path = append(v.path, strconv.Itoa(i+1)) }

// Pop leaves the member entered last.
func (v *Validator) Pop() { v.path = v.path[:len(v.path)-1] }

func (v *Validator) at(name string) string {
	if len(v.path) == 0 {
		return name
	}
	if name == "" {
		return strings.Join(v.path, ".")
	}
	return strings.Join(v.path, ".") + "." + name
}

func (v *Validator) add(k ViolationKind, name, value, constraint string) {
	v.v = append(v.v, Violation{Kind: k, Path: v.at(name), Value: value, Constraint: constraint})
}

// Required records a missing required member when !present.
func (v *Validator) Required(name string, present bool) {
	if !present {
		v.add(Missing, name, "", "Member must not be null")
	}
}

// Len checks a length (runes for strings, bytes for blobs, items for lists and maps)
// against min and max; a negative bound is absent.
func (v *Validator) Len(name string, n, min, max int64, value string) {
	if min >= 0 && n < min {
		v.add(TooShort, name, value, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		v.add(TooLong, name, value, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// Size checks the number of items of a list or map, or the bytes of a blob, against min
// and max; value is rendered (as JavaString does) only when it breaks a bound.
func (v *Validator) Size(name string, n int, min, max int64, value any) {
	if (min >= 0 && int64(n) < min) || (max >= 0 && int64(n) > max) {
		v.Len(name, int64(n), min, max, JavaString(value))
	}
}

// Mark returns a position in the violations collected so far, for Items.
func (v *Validator) Mark() int { return len(v.v) }

// Items replaces the violations its items added since mark with one for the whole list or
// map items, rendered as JavaString does: AWS reports scalar items that fail their
// constraints once, naming the collection. constraint is the whole wording, e.g.
// "Member must satisfy constraint: [Member must satisfy enum value set: [a, b]]".
func (v *Validator) Items(name string, mark int, items any, constraint string) {
	if len(v.v) == mark {
		return
	}
	k, redacted := v.v[mark].Kind, v.v[mark].Redacted
	v.v = v.v[:mark]
	v.add(k, name, JavaString(items), constraint)
	v.v[len(v.v)-1].Redacted = redacted
}

// Redact marks the violations added since mark as of a sensitive value.
func (v *Validator) Redact(mark int) {
	for i := mark; i < len(v.v); i++ {
		if v.v[i].Kind != Missing {
			v.v[i].Redacted = true
		}
	}
}

// StrLen checks a string's length in characters.
func (v *Validator) StrLen(name string, s *string, min, max int64) {
	if s != nil {
		v.Len(name, int64(utf8.RuneCountInString(*s)), min, max, *s)
	}
}

// Range checks a number against min and max (inclusive); hasMin/hasMax say which apply.
func (v *Validator) Range(name string, n float64, min, max float64, hasMin, hasMax bool) {
	val := strconv.FormatFloat(n, 'f', -1, 64)
	if hasMin && n < min {
		v.add(TooSmall, name, val, "Member must have value greater than or equal to "+strconv.FormatFloat(min, 'f', -1, 64))
	}
	if hasMax && n > max {
		v.add(TooLarge, name, val, "Member must have value less than or equal to "+strconv.FormatFloat(max, 'f', -1, 64))
	}
}

// RangeDouble checks a float or double against min and max (inclusive) like Range, and
// prints the value and bounds as Java prints doubles ("1.0"), as AWS does.
func (v *Validator) RangeDouble(name string, n float64, min, max float64, hasMin, hasMax bool) {
	if hasMin && n < min {
		v.add(TooSmall, name, JavaDouble(n, 64), "Member must have value greater than or equal to "+JavaDouble(min, 64))
	}
	if hasMax && n > max {
		v.add(TooLarge, name, JavaDouble(n, 64), "Member must have value less than or equal to "+JavaDouble(max, 64))
	}
}

// Pattern checks s against a lazily compiled modeled pattern.
func (v *Validator) Pattern(name string, s *string, p *LazyRegexp) {
	if s != nil && !p.MatchString(*s) {
		v.add(BadPattern, name, *s, "Member must satisfy regular expression pattern: "+p.expr)
	}
}

// Enum checks s against the modeled values.
func (v *Validator) Enum(name string, s *string, values []string) {
	if s == nil {
		return
	}
	for _, e := range values {
		if *s == e {
			return
		}
	}
	v.add(BadEnum, name, *s, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

// LazyRegexp is a modeled pattern compiled on first use, so start-up does not pay for the
// thousands of patterns in the models. A pattern RE2 cannot compile matches everything
// (the generator drops those it can detect).
type LazyRegexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// NewLazyRegexp returns a pattern compiled on first use. Modeled patterns are anchored
// as AWS applies them: the whole value must match.
func NewLazyRegexp(expr string) *LazyRegexp { return &LazyRegexp{expr: expr} }

// MatchString reports whether s matches the whole pattern.
func (l *LazyRegexp) MatchString(s string) bool {
	l.once.Do(func() {
		re, err := regexp.Compile(`^(?:` + l.expr + `)$`)
		if err == nil {
			l.re = re
		}
	})
	return l.re == nil || l.re.MatchString(s)
}

// DefaultValidationError formats violations the way AWS's JSON services do:
// "1 validation error detected: Value null at 'queueUrl' failed to satisfy constraint:
// Member must not be null".
func DefaultValidationError(_ *Operation, vs []Violation) *Error {
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, x := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		val := " null"
		switch {
		case x.Kind == Missing:
		case x.Redacted:
			val = ""
		default:
			val = " '" + x.Value + "'"
		}
		fmt.Fprintf(&b, "Value%s at '%s' failed to satisfy constraint: %s", val, lowerFirstPath(x.Path), x.Constraint)
	}
	return ValidationException(b.String())
}

// lowerFirstPath renders "Entries.1.Id" as "entries.1.member.id" the way AWS's validation
// messages name members.
func lowerFirstPath(p string) string {
	parts := strings.Split(p, ".")
	out := make([]string, 0, len(parts)*2)
	for _, s := range parts {
		if s == "" {
			continue
		}
		if s[0] >= '0' && s[0] <= '9' {
			out = append(out, s, "member")
			continue
		}
		out = append(out, strings.ToLower(s[:1])+s[1:])
	}
	if n := len(out); n > 0 && out[n-1] == "member" {
		out = out[:n-1]
	}
	return strings.Join(out, ".")
}

// Validate runs the generated Validate method of in and maps violations to the service's
// error. It returns nil when in is valid.
func Validate(svc *ServiceInfo, op *Operation, in any) *Error {
	vin, ok := in.(Validatable)
	if !ok {
		return nil
	}
	var v Validator
	vin.Validate(&v)
	if len(v.v) == 0 {
		return nil
	}
	if svc.ValidationErrorFunc != nil {
		return svc.ValidationErrorFunc(op, v.v)
	}
	return DefaultValidationError(op, v.v)
}
