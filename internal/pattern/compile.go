package pattern

import (
	"errors"
	"maps"
	"slices"
	"strconv"
)

// field is one flattened pattern field of a rule: a dotted path and the
// alternatives its values may match.
type field struct {
	path string
	ms   []matcher
}

// rule is one conjunction of fields; a pattern is the disjunction of its
// rules, one per combination of "$or" branches.
type rule []field

// maxRules bounds the rules that "$or" branches may expand to in one
// pattern, so that a short document cannot make Overcast build an
// exponential state machine.
const maxRules = 1024

// maxDepth is Jackson's default maximum nesting depth, which AWS's parser
// enforces on pattern documents.
const maxDepth = 1000

// dialect is what one service's pattern language accepts.
type dialect struct {
	wildcard       bool            // "wildcard" operator
	affixFold      bool            // {"prefix"|"suffix": {"equals-ignore-case": ...}}
	anythingButOps map[string]bool // operators allowed inside an anything-but object
	// anythingButOpError, if set, answers an anything-but object whose
	// operand is neither a string nor a list (SNS names the operator's
	// own rule rather than anything-but's).
	anythingButOpError string
}

var eventBridgeDialect = &dialect{
	wildcard:       true,
	affixFold:      true,
	anythingButOps: map[string]bool{"equals-ignore-case": true, "prefix": true, "suffix": true, "wildcard": true},
}

var snsDialect = &dialect{
	anythingButOps:     map[string]bool{"prefix": true},
	anythingButOpError: "prefix match pattern must be a string",
}

// reservedInOr are the names event-ruler reserves inside "$or" objects.
var reservedInOr = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true, "anything-but": true,
	"exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true, "in-date-range": true,
	"ip-address-in-range": true, "ip-address-not-in-range": true,
}

// shape records the object structure of a document for SNS's key and
// combination limits.
type shape struct {
	keys []shapeKey
}

type shapeKey struct {
	name   string
	child  *shape   // nested object
	values int      // value array length
	or     []*shape // "$or" branches
}

type ruleBuilder struct {
	fields []field
	index  map[string]int
}

func (b *ruleBuilder) clone() *ruleBuilder {
	return &ruleBuilder{fields: slices.Clone(b.fields), index: maps.Clone(b.index)}
}

func (b *ruleBuilder) put(f field) {
	if i, ok := b.index[f.path]; ok {
		b.fields[i] = f // the last occurrence of a field wins
		return
	}
	b.index[f.path] = len(b.fields)
	b.fields = append(b.fields, f)
}

type compiler struct {
	t     *tokenizer
	d     *dialect
	rules []*ruleBuilder
}

// compileDocument parses a pattern document into rules. Errors are
// *syntaxError (reason and location), *reasonError (reason only) or
// errOverflow, mirroring which of AWS's checks raised them.
func compileDocument(doc []byte, d *dialect) ([]rule, *shape, error) {
	c := &compiler{t: newTokenizer(doc), d: d}
	k, err := c.t.next()
	if err != nil {
		return nil, nil, err
	}
	if k != tokStartObject {
		return nil, nil, c.t.fail("Filter is not an object")
	}
	root := &shape{}
	if err := c.parseObject("", false, root); err != nil {
		return nil, nil, err
	}
	out := make([]rule, 0, len(c.rules))
	for _, b := range c.rules {
		out = append(out, rule(b.fields))
	}
	return out, root, nil
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (c *compiler) parseObject(path string, inOr bool, sh *shape) error {
	present := false
	for {
		k, err := c.t.next()
		if err != nil {
			return err
		}
		if k == tokEndObject {
			break
		}
		present = true
		name := c.t.text
		if name == "$or" {
			if err := c.parseOr(path, sh); err != nil {
				return err
			}
			continue
		}
		if inOr && reservedInOr[name] {
			return c.t.fail(name + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		k, err = c.t.next()
		if err != nil {
			return err
		}
		switch k {
		case tokStartObject:
			if len(c.t.stack) > maxDepth {
				return c.t.fail("Document nesting depth (" + strconv.Itoa(len(c.t.stack)) + ") exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)")
			}
			child := &shape{}
			sh.keys = append(sh.keys, shapeKey{name: name, child: child})
			if err := c.parseObject(join(path, name), inOr, child); err != nil {
				return err
			}
		case tokStartArray:
			n, err := c.writeRules(join(path, name))
			if err != nil {
				return err
			}
			sh.keys = append(sh.keys, shapeKey{name: name, values: n})
		default:
			return c.t.fail(strconv.Quote(name) + " must be an object or an array")
		}
	}
	if !present {
		return c.t.fail("Empty objects are not allowed")
	}
	return nil
}

func (c *compiler) parseOr(path string, sh *shape) error {
	current := c.rules
	c.rules = nil
	k, err := c.t.next()
	if err != nil {
		return err
	}
	if k != tokStartArray {
		return c.t.fail("It must be an Array followed with $or.")
	}
	key := shapeKey{name: "$or"}
	count := 0
	for {
		k, err := c.t.next()
		if err != nil {
			return err
		}
		if k == tokEndArray {
			break
		}
		count++
		if k != tokStartObject {
			return c.t.fail("Only JSON object is allowed in array of $or relationship.")
		}
		branch := make([]*ruleBuilder, 0, max(len(current), 1))
		for _, b := range current {
			branch = append(branch, b.clone())
		}
		if len(branch) == 0 {
			branch = append(branch, &ruleBuilder{index: map[string]int{}})
		}
		saved := c.rules
		c.rules = branch
		child := &shape{}
		key.or = append(key.or, child)
		if err := c.parseObject(path, true, child); err != nil {
			return err
		}
		c.rules = append(saved, c.rules...)
		if len(c.rules) > maxRules {
			return &reasonError{"Rule is too complex - try using fewer $or branches"}
		}
	}
	if count < 2 {
		return c.t.fail("There must have at least 2 Objects in $or relationship.")
	}
	sh.keys = append(sh.keys, key)
	return nil
}

// writeRules reads a field's value array and adds the field to every rule.
func (c *compiler) writeRules(path string) (int, error) {
	var ms []matcher
	for {
		k, err := c.t.next()
		if err != nil {
			return 0, err
		}
		if k == tokEndArray {
			break
		}
		switch k {
		case tokStartObject:
			m, err := c.matchExpression()
			if err != nil {
				return 0, err
			}
			ms = append(ms, m)
		case tokString:
			s, err := c.t.finishString()
			if err != nil {
				return 0, err
			}
			ms = append(ms, matcher{op: opString, s: s, ip: ipKey(s)})
		case tokNumber:
			n, ok := comparableNumber(c.t.text)
			ms = append(ms, matcher{op: opNumber, s: c.t.text, num: n, ok: ok})
		case tokTrue, tokFalse, tokNull:
			ms = append(ms, matcher{op: opLiteral, s: c.t.text})
		default:
			return 0, c.t.fail("Match value must be String, number, true, false, or null")
		}
	}
	if len(ms) == 0 {
		return 0, c.t.fail("Empty arrays are not allowed")
	}
	if len(c.rules) == 0 {
		c.rules = append(c.rules, &ruleBuilder{index: map[string]int{}})
	}
	for _, b := range c.rules {
		b.put(field{path: path, ms: ms})
	}
	return len(ms), nil
}

// expectEnd requires the end of a match expression object.
func (c *compiler) expectEnd(reason string) error {
	k, err := c.t.next()
	if err != nil {
		return err
	}
	if k != tokEndObject {
		return c.t.fail(reason)
	}
	return nil
}

const onlyOneKey = "Only one key allowed in match expression"

// stringOperand reads a string operand or fails with reason.
func (c *compiler) stringOperand(reason string) (string, error) {
	k, err := c.t.next()
	if err != nil {
		return "", err
	}
	if k != tokString {
		return "", c.t.fail(reason)
	}
	return c.t.finishString()
}

// matchExpression parses one {"operator": operand} object.
func (c *compiler) matchExpression() (matcher, error) {
	k, err := c.t.next()
	if err != nil {
		return matcher{}, err
	}
	if k != tokField {
		return matcher{}, c.t.fail("Match expression name not found")
	}
	switch name := c.t.text; name {
	case "prefix", "suffix":
		return c.affixExpression(name)
	case "numeric":
		k, err := c.t.next()
		if err != nil {
			return matcher{}, err
		}
		if k != tokStartArray {
			return matcher{}, c.t.fail("Value of numeric must be an array.")
		}
		m, err := c.numericExpression()
		if err != nil {
			return matcher{}, err
		}
		return m, c.expectEnd("Too many elements in numeric expression")
	case "anything-but":
		return c.anythingButExpression()
	case "exists":
		k, err := c.t.next()
		if err != nil {
			return matcher{}, err
		}
		var m matcher
		switch k {
		case tokTrue:
			m.op = opExists
		case tokFalse:
			m.op = opAbsent
		default:
			return matcher{}, c.t.fail("exists match pattern must be either true or false.")
		}
		return m, c.expectEnd(onlyOneKey)
	case "cidr":
		s, err := c.stringOperand("prefix match pattern must be a string")
		if err != nil {
			return matcher{}, err
		}
		r, err := parseCIDR(s)
		if err != nil {
			return matcher{}, err
		}
		return matcher{op: opCIDR, cidr: r}, c.expectEnd(onlyOneKey)
	case "equals-ignore-case":
		s, err := c.stringOperand("equals-ignore-case match pattern must be a string")
		if err != nil {
			return matcher{}, err
		}
		return matcher{op: opEqualsFold, s: fold(s)}, c.expectEnd(onlyOneKey)
	case "wildcard":
		if !c.d.wildcard {
			return matcher{}, c.t.fail("Unrecognized match type " + name)
		}
		s, err := c.stringOperand("wildcard match pattern must be a string")
		if err != nil {
			return matcher{}, err
		}
		w, err := parseWildcard(s)
		if err != nil {
			return matcher{}, c.t.fail(err.Error())
		}
		return matcher{op: opWildcard, wc: w}, c.expectEnd(onlyOneKey)
	default:
		return matcher{}, c.t.fail("Unrecognized match type " + name)
	}
}

func (c *compiler) affixExpression(name string) (matcher, error) {
	k, err := c.t.next()
	if err != nil {
		return matcher{}, err
	}
	plain, folded := opPrefix, opPrefixFold
	label := "Prefix"
	if name == "suffix" {
		plain, folded, label = opSuffix, opSuffixFold, "Suffix"
	}
	if k == tokStartObject && c.d.affixFold {
		k, err := c.t.next()
		if err != nil {
			return matcher{}, err
		}
		if k != tokField {
			return matcher{}, c.t.fail(label + " expression name not found")
		}
		if c.t.text != "equals-ignore-case" {
			return matcher{}, c.t.fail("Unsupported " + name + " pattern: " + c.t.text)
		}
		s, err := c.stringOperand("equals-ignore-case match pattern must be a string")
		if err != nil {
			return matcher{}, err
		}
		if err := c.expectEnd(onlyOneKey); err != nil {
			return matcher{}, err
		}
		return matcher{op: folded, s: fold(s)}, c.expectEnd(onlyOneKey)
	}
	if k != tokString {
		return matcher{}, c.t.fail(name + " match pattern must be a string")
	}
	s, err := c.t.finishString()
	if err != nil {
		return matcher{}, err
	}
	return matcher{op: plain, s: s}, c.expectEnd(onlyOneKey)
}

// located attaches the current location to a reason raised while
// converting an operand, as AWS does for errors it reports itself.
func (c *compiler) located(err error) error {
	var r *reasonError
	if errors.As(err, &r) {
		return c.t.fail(r.reason)
	}
	return err
}

// rethrown reports an error raised while reading the list of an
// {"anything-but": {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": [...]}}
// operand: AWS catches it and raises its message again at the same place,
// so the message carries the location twice.
func (c *compiler) rethrown(err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		return &syntaxError{reason: se.reason + se.location, location: "\n at " + c.t.locationAt(c.t.pos)}
	}
	return err
}

func (c *compiler) numericExpression() (matcher, error) {
	k, err := c.t.next()
	if err != nil {
		return matcher{}, err
	}
	if k != tokString {
		return matcher{}, c.t.fail("Invalid member in numeric match: " + c.tokenText(k))
	}
	operator, err := c.t.finishString()
	if err != nil {
		return matcher{}, err
	}
	k, err = c.t.next()
	if err != nil {
		return matcher{}, err
	}
	mustBeNumeric := func(op string) error {
		if op == "=" {
			op = "equals"
		}
		return c.t.fail("Value of " + op + " must be numeric")
	}
	switch operator {
	case "=", "<", "<=":
		if !k.isNumber() {
			return matcher{}, mustBeNumeric(operator)
		}
		text := c.t.text
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
		if k != tokEndArray {
			return matcher{}, c.t.fail("Too many elements in numeric expression")
		}
		v, err := patternNumber(text)
		if err != nil {
			return matcher{}, c.located(err)
		}
		switch operator {
		case "=":
			return matcher{op: opRange, lo: v, hi: v}, nil
		case "<":
			return matcher{op: opRange, lo: minRange, hi: v - 1}, nil
		}
		return matcher{op: opRange, lo: minRange, hi: v}, nil
	case ">", ">=":
		if !k.isNumber() {
			return matcher{}, mustBeNumeric(operator)
		}
		bottom := c.t.text
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
		if k == tokEndArray {
			v, err := patternNumber(bottom)
			if err != nil {
				return matcher{}, c.located(err)
			}
			if operator == ">" {
				v++
			}
			return matcher{op: opRange, lo: v, hi: maxRange}, nil
		}
		if k != tokString {
			return matcher{}, c.t.fail("Bad value in numeric range: " + c.tokenText(k))
		}
		upper, err := c.t.finishString()
		if err != nil {
			return matcher{}, err
		}
		if upper != "<" && upper != "<=" {
			return matcher{}, c.t.fail("Bad numeric range operator: " + upper)
		}
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
		if !k.isNumber() {
			return matcher{}, mustBeNumeric(upper)
		}
		top := c.t.text
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
		if k != tokEndArray {
			return matcher{}, c.t.fail("Too many terms in numeric range expression")
		}
		lo, err := patternNumber(bottom)
		if err != nil {
			return matcher{}, c.located(err)
		}
		hi, err := patternNumber(top)
		if err != nil {
			return matcher{}, c.located(err)
		}
		if lo >= hi {
			return matcher{}, c.t.fail("Bottom must be less than top")
		}
		if operator == ">" {
			lo++
		}
		if upper == "<" {
			hi--
		}
		return matcher{op: opRange, lo: lo, hi: hi}, nil
	}
	return matcher{}, c.t.fail("Unrecognized numeric range operator: " + operator)
}

// Open-ended ranges extend past the comparable domain.
const (
	minRange = -maxMicro - 1
	maxRange = maxMicro + 1
)

// tokenText is Jackson's getText for a token other than a string.
func (c *compiler) tokenText(k tokenKind) string {
	switch k {
	case tokStartObject:
		return "{"
	case tokEndObject:
		return "}"
	case tokStartArray:
		return "["
	case tokEndArray:
		return "]"
	case tokEOF:
		return "null"
	}
	return c.t.text
}

func (c *compiler) anythingButExpression() (matcher, error) {
	k, err := c.t.next()
	if err != nil {
		return matcher{}, err
	}
	inner := ""
	if k == tokStartObject {
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
		if k != tokField {
			return matcher{}, c.t.fail("Anything-But expression name not found")
		}
		inner = c.t.text
		if !c.d.anythingButOps[inner] {
			return matcher{}, c.t.fail("Unsupported anything-but pattern: " + inner)
		}
		if k, err = c.t.next(); err != nil {
			return matcher{}, err
		}
	}
	if inner != "" && c.d.anythingButOpError != "" && k != tokStartArray && k != tokString {
		return matcher{}, c.t.fail(c.d.anythingButOpError)
	}
	if k != tokStartArray && k != tokString && k != tokNumber {
		return matcher{}, c.t.fail("Value of anything-but must be an array or single string/number value.")
	}
	var m matcher
	if inner == "" {
		m, err = c.anythingButValues(k)
	} else {
		m, err = c.anythingButSet(k, inner)
	}
	if err != nil {
		return matcher{}, err
	}
	if err := c.expectEnd("Too many elements in numeric expression"); err != nil {
		return matcher{}, err
	}
	if inner != "" {
		if err := c.expectEnd("Too many elements in numeric expression"); err != nil {
			return matcher{}, err
		}
	}
	return m, nil
}

// anythingButValues reads {"anything-but": value} or a list of values,
// which must be all strings or all numbers.
func (c *compiler) anythingButValues(k tokenKind) (matcher, error) {
	m := matcher{op: opNotValues}
	add := func(k tokenKind, located bool) error {
		switch k {
		case tokString:
			s, err := c.t.finishString()
			if err != nil {
				return err
			}
			m.strs = append(m.strs, s)
		case tokNumber:
			n, err := patternNumber(c.t.text)
			if err != nil {
				if located {
					return c.located(err)
				}
				return err
			}
			m.nums = append(m.nums, n)
			m.numeric = true
		}
		return nil
	}
	if k != tokStartArray {
		if err := add(k, false); err != nil {
			return matcher{}, err
		}
		return m, nil
	}
	for {
		k, err := c.t.next()
		if err != nil {
			return matcher{}, err
		}
		if k == tokEndArray {
			break
		}
		if k != tokString && k != tokNumber {
			return matcher{}, c.t.fail("Inside anything but list, start|null|boolean is not supported.")
		}
		if err := add(k, true); err != nil {
			return matcher{}, err
		}
	}
	if (len(m.strs) > 0) == (len(m.nums) > 0) {
		return matcher{}, c.t.fail("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	slices.Sort(m.strs)
	m.strs = slices.Compact(m.strs)
	slices.Sort(m.nums)
	m.nums = slices.Compact(m.nums)
	return m, nil
}

// anythingButSet reads the operand of {"anything-but": {inner: operand}}:
// one string or a list of strings.
func (c *compiler) anythingButSet(k tokenKind, inner string) (matcher, error) {
	var m matcher
	switch inner {
	case "prefix":
		m.op = opNotPrefix
	case "suffix":
		m.op = opNotSuffix
	case "equals-ignore-case":
		m.op = opNotFold
	case "wildcard":
		m.op = opNotWildcard
	}
	notString := func() error {
		switch inner {
		case "equals-ignore-case":
			return c.t.fail("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
		case "wildcard":
			return c.t.fail("wildcard match pattern must be a string")
		}
		return c.t.fail("prefix/suffix match pattern must be a string")
	}
	var values []string
	add := func() error {
		s, err := c.t.finishString()
		if err != nil {
			return err
		}
		if s == "" && (inner == "prefix" || inner == "suffix") {
			return c.t.fail("Null prefix/suffix not allowed")
		}
		values = append(values, s)
		return nil
	}
	if k == tokStartArray {
		for {
			k, err := c.t.next()
			if err != nil {
				return matcher{}, c.rethrown(err)
			}
			if k == tokEndArray {
				break
			}
			if k != tokString {
				return matcher{}, c.rethrown(notString())
			}
			if err := add(); err != nil {
				return matcher{}, c.rethrown(err)
			}
		}
	} else {
		if k != tokString {
			return matcher{}, notString()
		}
		if err := add(); err != nil {
			return matcher{}, err
		}
	}
	slices.Sort(values)
	values = slices.Compact(values)
	for _, v := range values {
		switch m.op {
		case opNotFold:
			m.strs = append(m.strs, fold(v))
		case opNotWildcard:
			w, err := parseWildcard(v)
			if err != nil {
				return matcher{}, c.t.fail(err.Error())
			}
			m.wcs = append(m.wcs, w)
		default:
			m.strs = append(m.strs, v)
		}
	}
	return m, nil
}
