package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// computeNeedsCheck marks the structures whose Validate has something to check: a
// required member, a constrained member, or a member leading to such a structure.
// Recursive shapes make this a fixed point.
func (g *generator) computeNeedsCheck() {
	g.needsCheck = map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name := range g.inputReach {
			sh := g.shape(name)
			if g.needsCheck[name] || sh.Type != "structure" || sh.Document || sh.EventStream {
				continue
			}
			need := len(sh.Required) > 0
			for _, m := range sh.Members {
				need = need || g.valueNeedsCheck(m.Ref)
			}
			if need {
				g.needsCheck[name], changed = true, true
			}
		}
	}
}

// valueNeedsCheck reports whether a value of ref's shape has anything to check.
func (g *generator) valueNeedsCheck(ref *shapeRef) bool {
	sh := g.shape(ref.Shape)
	switch sh.Type {
	case "structure":
		return g.needsCheck[ref.Shape]
	case "list":
		return g.hasLen(sh) || g.valueNeedsCheck(sh.Member)
	case "map":
		return g.hasLen(sh) || g.keysNeedCheck(sh) || g.valueNeedsCheck(sh.Value)
	case "string":
		_, ok := re2Pattern(sh.Pattern)
		return g.hasLen(sh) || ok || len(sh.Enum) > 0 || len(ref.Enum) > 0
	case "blob":
		return g.hasLen(sh)
	case "integer", "long", "float", "double":
		return sh.Min != nil || sh.Max != nil
	}
	return false
}

func (g *generator) hasLen(sh *shape) bool {
	return (sh.Min != nil && num(*sh.Min) > 0) || sh.Max != nil
}

// boundText renders a modeled minimum or maximum of the number shape sh as AWS's messages
// do: Java prints the bounds of float and double shapes as doubles ("1.0").
func boundText(sh *shape, n json.Number) string {
	if sh.Type != "float" && sh.Type != "double" {
		return n.String()
	}
	f, _ := n.Float64()
	return protocol.JavaDouble(f, 64)
}

func num(n fmt.Stringer) float64 {
	f, _ := strconv.ParseFloat(n.String(), 64)
	return f
}

// lenBounds renders the min and max lengths of sh as Validator.Len arguments.
func lenBounds(sh *shape) string {
	bound := func(n fmt.Stringer) string {
		if n == nil || n.String() == "" {
			return "-1"
		}
		return strconv.FormatInt(int64(num(n)), 10)
	}
	var min, max fmt.Stringer = nil, nil
	if sh.Min != nil && num(*sh.Min) > 0 {
		min = *sh.Min
	}
	if sh.Max != nil {
		max = *sh.Max
	}
	return bound(min) + ", " + bound(max)
}

var (
	unicodeEscape   = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)
	surrogatePair   = regexp.MustCompile(`\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})`)
	surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F][0-9a-fA-F]{2}`)
)

// re2Pattern translates the modeled (Java) pattern p for Go's regexp. Java reads a
// \uXXXX escape as a UTF-16 unit and a pair of surrogate escapes as one code point;
// both become \x{...}. It reports false when p is empty, holds a lone surrogate or does
// not compile.
func re2Pattern(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	re := surrogatePair.ReplaceAllStringFunc(p, func(pair string) string {
		m := surrogatePair.FindStringSubmatch(pair)
		hi, _ := strconv.ParseUint(m[1], 16, 32)
		lo, _ := strconv.ParseUint(m[2], 16, 32)
		return fmt.Sprintf(`\x{%X}`, 0x10000+(hi-0xD800)<<10+(lo-0xDC00))
	})
	if surrogateEscape.MatchString(re) {
		return "", false
	}
	re = unicodeEscape.ReplaceAllString(re, `\x{$1}`)
	if _, err := regexp.Compile(`^(?:` + re + `)$`); err != nil {
		return "", false
	}
	return re, true
}

// pattern returns the variable holding the modeled pattern p, declaring it on first use,
// or "" when re2Pattern cannot translate p.
func (g *generator) pattern(p string) string {
	re, ok := re2Pattern(p)
	if !ok {
		return ""
	}
	if v, ok := g.patterns[re]; ok {
		return v
	}
	v := g.ns.claim("genPattern" + strconv.Itoa(len(g.patternList)))
	g.patterns[re] = v
	g.patternList = append(g.patternList, re)
	return v
}

// writeValidate writes the Validate method of the structure type tn.
func (g *generator) writeValidate(tn, name string, sh *shape) {
	g.p("")
	g.p("// Validate checks in against the constraints of the model.")
	g.p("func (in *%s) Validate(v *protocol.Validator) {", tn)
	for _, m := range g.orderedMembers(sh) {
		t := g.shape(m.Ref.Shape)
		if t.EventStream {
			continue
		}
		// Members bound to the HTTP request (headers, labels, query parameters) are named
		// by their member name, as AWS's validation messages name them; the others by
		// their body name.
		w := wireOf(g.m, m.Name, m.Ref).name
		if m.Ref.Location != "" {
			w = m.Name
		}
		field := "in." + g.fieldOf(sh, m.Name)
		for _, r := range sh.Required {
			if r == m.Name {
				g.p("v.Required(%q, %s != nil)", w, field)
			}
		}
		g.checkValue(strconv.Quote(w), field, m.Ref, true, 0)
	}
	g.p("}")
}

// fieldOf returns the Go field name of member name in sh, as writeStruct assigns it.
func (g *generator) fieldOf(sh *shape, name string) string {
	fields := map[string]bool{}
	for _, m := range g.orderedMembers(sh) {
		fn := fieldName(m.Name)
		for fields[fn] {
			fn += "_"
		}
		fields[fn] = true
		if m.Name == name {
			return fn
		}
	}
	panic("no member " + name)
}

// checkValue writes the checks of one value: expr is a struct field when field is true
// (scalars are pointers, nil when absent), else a list item or map value (scalars are
// plain values). name is the quoted path element the Validator reports.
func (g *generator) checkValue(name, expr string, ref *shapeRef, field bool, depth int) {
	sh := g.shape(ref.Shape)
	if sh.Sensitive && !g.redacting && sh.Type != "structure" && g.valueNeedsCheck(ref) {
		// AWS does not quote a sensitive value: "Value at 'password' failed to ...".
		g.redacting = true
		g.p("{")
		g.p("redact := v.Mark()")
		g.checkValue(name, expr, ref, field, depth)
		g.p("v.Redact(redact)")
		g.p("}")
		g.redacting = false
		return
	}
	ptr := expr // *T of a scalar
	val := "*" + expr
	if !field {
		ptr, val = "&"+expr, expr
	}
	switch sh.Type {
	case "string":
		if g.hasLen(sh) {
			g.p("v.StrLen(%s, %s, %s)", name, ptr, lenBounds(sh))
		}
		if p := g.pattern(sh.Pattern); p != "" {
			g.p("v.Pattern(%s, %s, %s)", name, ptr, p)
		} else if sh.Pattern != "" && !slices.Contains(g.dropped, sh.Pattern) {
			g.dropped = append(g.dropped, sh.Pattern)
		}
		switch {
		case len(sh.Enum) > 0:
			g.p("v.Enum(%s, %s, %s)", name, ptr, g.enumVars[ref.Shape])
		case len(ref.Enum) > 0:
			g.p("v.Enum(%s, %s, %s)", name, ptr, stringSlice(ref.Enum))
		}
	case "integer", "long", "float", "double":
		if sh.Min == nil && sh.Max == nil {
			return
		}
		lo, hi := "0", "0"
		if sh.Min != nil {
			lo = sh.Min.String()
		}
		if sh.Max != nil {
			hi = sh.Max.String()
		}
		fn := "Range"
		if sh.Type == "float" || sh.Type == "double" {
			fn = "RangeDouble"
		}
		call := fmt.Sprintf("v.%s(%s, float64(%s), %s, %s, %v, %v)", fn, name, val, lo, hi, sh.Min != nil, sh.Max != nil)
		if field {
			g.p("if %s != nil {", expr)
			g.p("%s", call)
			g.p("}")
		} else {
			g.p("%s", call)
		}
	case "blob":
		if g.hasLen(sh) {
			g.lenCheck(name, expr, sh, field)
		}
	case "structure":
		if !g.needsCheck[ref.Shape] || sh.Document || sh.EventStream {
			return
		}
		g.p("if %s != nil {", expr)
		if name != `""` {
			g.p("v.Push(%s)", name)
		}
		g.p("%s.Validate(v)", expr)
		if name != `""` {
			g.p("v.Pop()")
		}
		g.p("}")
	case "list":
		if g.hasLen(sh) {
			g.lenCheck(name, expr, sh, field)
		}
		if !g.valueNeedsCheck(sh.Member) {
			return
		}
		if cs, ok := g.scalarConstraints(ref.Shape, sh.Member); ok {
			g.itemsCheck(name, expr, "Member", cs, depth, func(item string) {
				g.checkValue(`""`, item, sh.Member, false, depth+1)
			}, false)
			return
		}
		i := "i" + strconv.Itoa(depth)
		g.p("if len(%s) > 0 {", expr)
		g.pushName(name)
		g.p("for %s := range %s {", i, expr)
		g.p("v.PushIndex(%s)", i)
		g.checkValue(`""`, expr+"["+i+"]", sh.Member, false, depth+1)
		g.p("v.Pop()")
		g.p("}")
		g.popName(name)
		g.p("}")
	case "map":
		if g.hasLen(sh) {
			g.lenCheck(name, expr, sh, field)
		}
		if g.keysNeedCheck(sh) {
			cs, _ := g.scalarConstraints(ref.Shape, sh.Key)
			g.itemsCheck(name, expr, "Map keys", cs, depth, func(key string) {
				g.checkValue(`""`, key, sh.Key, false, depth+1)
			}, true)
		}
		if !g.valueNeedsCheck(sh.Value) {
			return
		}
		if cs, ok := g.scalarConstraints(ref.Shape, sh.Value); ok {
			g.itemsCheck(name, expr, "Map value", cs, depth, func(item string) {
				g.checkValue(`""`, item, sh.Value, false, depth+1)
			}, false)
			return
		}
		k, e := "k"+strconv.Itoa(depth), "e"+strconv.Itoa(depth)
		g.p("if len(%s) > 0 {", expr)
		g.pushName(name)
		g.p("for %s, %s := range %s {", k, e, expr)
		g.p("v.Push(%s)", k)
		g.checkValue(`""`, e, sh.Value, false, depth+1)
		g.p("v.Pop()")
		g.p("}")
		g.popName(name)
		g.p("}")
	}
}

// nonNullItems lists, per model, the lists and maps whose items AWS's own (non-public)
// model declares non-null: AWS ends the constraints of their items with "Member must not
// be null". The botocore models do not say so; these are the collections AWS's messages
// show it for.
var nonNullItems = map[string]map[string]bool{
	"lambda": {"ArchitecturesList": true, "AllowMethodsList": true, "AllowOriginsList": true, "HeadersList": true,
		"AdditionalVersionWeights": true},
	"iam": {"tagKeyListType": true},
}

// scalarConstraints returns AWS's wording of every constraint the model puts on ref, the
// string or number items of the list or map container, in the order AWS lists them
// (length or value maximum, minimum, pattern, enum, non-null), and false when ref is not
// such a shape or the service reports items one by one.
func (g *generator) scalarConstraints(container string, ref *shapeRef) ([]string, bool) {
	sh := g.shape(ref.Shape)
	var cs []string
	switch sh.Type {
	case "string":
		if sh.Max != nil {
			cs = append(cs, "Member must have length less than or equal to "+sh.Max.String())
		}
		if sh.Min != nil {
			cs = append(cs, "Member must have length greater than or equal to "+sh.Min.String())
		}
		if sh.Pattern != "" {
			cs = append(cs, "Member must satisfy regular expression pattern: "+sh.Pattern)
		}
		switch {
		case len(sh.Enum) > 0:
			cs = append(cs, "Member must satisfy enum value set: ["+strings.Join(sh.Enum, ", ")+"]")
		case len(ref.Enum) > 0:
			cs = append(cs, "Member must satisfy enum value set: ["+strings.Join(ref.Enum, ", ")+"]")
		}
	case "integer", "long", "float", "double":
		if sh.Max != nil {
			cs = append(cs, "Member must have value less than or equal to "+boundText(sh, *sh.Max))
		}
		if sh.Min != nil {
			cs = append(cs, "Member must have value greater than or equal to "+boundText(sh, *sh.Min))
		}
	default:
		return nil, false
	}
	if g.svc.ItemByItem {
		return nil, false
	}
	if nonNullItems[g.svc.Model][container] {
		cs = append(cs, "Member must not be null")
	}
	return cs, true
}

// itemsCheck writes the checks of the scalar items of a list, or of the keys or values of
// a map, expr. AWS reports a failing item once for the whole collection, printed in full,
// with every constraint of its items: "Value '[a, b]' at 'names' failed to satisfy
// constraint: Member must satisfy constraint: [...]". what is "Member", "Map keys" or
// "Map value"; check writes the checks of one item given the variable holding it; keys
// ranges over the keys of a map rather than its values.
func (g *generator) itemsCheck(name, expr, what string, cs []string, depth int, check func(string), keys bool) {
	e := "e" + strconv.Itoa(depth)
	g.p("if len(%s) > 0 {", expr)
	g.p("mark := v.Mark()")
	if keys {
		g.p("for %s := range %s {", e, expr)
	} else {
		g.p("for _, %s := range %s {", e, expr)
	}
	check(e)
	g.p("}")
	g.p("v.Items(%s, mark, %s, %q)", name, expr, what+" must satisfy constraint: ["+strings.Join(cs, ", ")+"]")
	g.p("}")
}

// keysNeedCheck reports whether the keys of the map sh have constraints AWS checks. A
// service that reports items one by one (SQS) checks its map keys itself.
func (g *generator) keysNeedCheck(sh *shape) bool {
	if sh.Key == nil || g.svc.ItemByItem {
		return false
	}
	k := g.shape(sh.Key.Shape)
	_, pat := re2Pattern(k.Pattern)
	return k.Type == "string" && (g.hasLen(k) || pat || len(k.Enum) > 0 || len(sh.Key.Enum) > 0)
}

func (g *generator) pushName(name string) {
	if name != `""` {
		g.p("v.Push(%s)", name)
	}
}

func (g *generator) popName(name string) {
	if name != `""` {
		g.p("v.Pop()")
	}
}

// lenCheck checks the length of a blob, list or map that is present.
func (g *generator) lenCheck(name, expr string, sh *shape, field bool) {
	call := fmt.Sprintf(`v.Size(%s, len(%s), %s, %s)`, name, expr, lenBounds(sh), expr)
	if field {
		g.p("if %s != nil {", expr)
		g.p("%s", call)
		g.p("}")
		return
	}
	g.p("%s", call)
}

func stringSlice(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
