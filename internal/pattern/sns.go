package pattern

import "strings"

// AttributeValue is one SNS message attribute.
type AttributeValue struct {
	// DataType is "String", "Number", "Binary" or "String.Array", optionally
	// followed by a custom label ("Number.float").
	DataType    string
	StringValue string
	BinaryValue []byte
}

// flattenAttributes turns message attributes into event values the way SNS
// filters them: String values are strings, Number values numbers, each
// element of a String.Array value a separate value, and Binary attributes
// are ignored.
func flattenAttributes(attrs map[string]AttributeValue) *flat {
	fl := &flat{values: make(map[string][]*leaf, len(attrs))}
	for name, a := range attrs {
		base, _, _ := strings.Cut(a.DataType, ".")
		switch {
		case a.DataType == "String.Array":
			if !flattenArrayAttribute(fl, name, a.StringValue) {
				fl.values[name] = append(fl.values[name], &leaf{kind: kindString, text: a.StringValue})
			}
		case base == "Number":
			fl.values[name] = append(fl.values[name], &leaf{kind: kindNumber, text: strings.TrimSpace(a.StringValue)})
		case base == "String":
			fl.values[name] = append(fl.values[name], &leaf{kind: kindString, text: a.StringValue})
		}
	}
	return fl
}

// flattenArrayAttribute adds the elements of a JSON array attribute value;
// it reports false if the value is not a JSON array.
func flattenArrayAttribute(fl *flat, name, value string) bool {
	f := &flattener{src: []byte(value), out: &flat{values: map[string][]*leaf{}}, path: []byte(name)}
	f.skipSpace()
	if f.pos >= len(f.src) || f.src[f.pos] != '[' {
		return false
	}
	if err := f.value(true, false); err != nil {
		return false
	}
	if f.skipSpace(); f.pos != len(f.src) {
		return false
	}
	f.prune()
	for p, ls := range f.out.values {
		fl.values[p] = append(fl.values[p], ls...)
	}
	return true
}

// SNS's filter policy limits.
const (
	maxPolicyKeys         = 5
	maxPolicyCombinations = 150
)

// checkPolicyLimits applies SNS's limits on a filter policy's shape: at
// most five top-level keys, no nesting in the MessageAttributes scope, and
// at most 150 combinations of values, where each key multiplies the count
// by its number of values times its nesting depth and "$or" sums its
// branches.
func checkPolicyLimits(sh *shape, scope Scope) error {
	names := map[string]bool{}
	for _, k := range sh.keys {
		names[k.name] = true
	}
	if len(names) > maxPolicyKeys {
		return &Error{Service: SNS, Reason: "Filter policy can not have more than 5 keys"}
	}
	if scope == ScopeMessageAttributes && nested(sh) {
		return &Error{Service: SNS, detail: "Filter policy scope MessageAttributes does not support nested filter policy"}
	}
	if combinations(sh, 1, 1) > maxPolicyCombinations {
		return &Error{Service: SNS, Reason: "Filter policy is too complex"}
	}
	return nil
}

func nested(sh *shape) bool {
	for _, k := range sh.keys {
		if k.child != nil {
			return true
		}
		for _, b := range k.or {
			if nested(b) {
				return true
			}
		}
	}
	return false
}

// combinations computes SNS's complexity measure, saturating well above the
// limit so that large documents cannot overflow it.
func combinations(sh *shape, depth, acc int) int {
	const ceiling = 1 << 40
	for _, k := range sh.keys {
		switch {
		case k.child != nil:
			acc = combinations(k.child, depth+1, acc)
		case k.or != nil:
			sum := 0
			for _, b := range k.or {
				sum = min(sum+combinations(b, depth, acc), ceiling)
			}
			acc = sum
		default:
			acc = min(acc*k.values*depth, ceiling)
		}
	}
	return acc
}
