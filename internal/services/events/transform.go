package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// jsonPath evaluates the simple JSONPath expressions EventBridge accepts in InputPath and
// InputPathsMap ($, $.a.b, $.a[0], $['a']) on a decoded event. ok is false when the path
// names nothing.
func jsonPath(doc any, path string) (v any, ok bool) {
	if !strings.HasPrefix(path, "$") {
		return nil, false
	}
	rest := path[1:]
	v = doc
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			m, isMap := v.(map[string]any)
			if !isMap {
				return nil, false
			}
			if v, ok = m[rest[:end]]; !ok {
				return nil, false
			}
			rest = rest[end:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
				m, isMap := v.(map[string]any)
				if !isMap {
					return nil, false
				}
				if v, ok = m[inner[1:len(inner)-1]]; !ok {
					return nil, false
				}
				continue
			}
			i, err := strconv.Atoi(inner)
			a, isArr := v.([]any)
			if err != nil || !isArr || i < 0 || i >= len(a) {
				return nil, false
			}
			v = a[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// validPath reports whether p is a JSONPath jsonPath can evaluate.
func validPath(p string) bool {
	if !strings.HasPrefix(p, "$") {
		return false
	}
	_, ok := jsonPath(map[string]any{}, p)
	_ = ok
	return !strings.Contains(p, "..") && !strings.Contains(p, "*")
}

func decodeEvent(event []byte) any {
	var doc any
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	_ = d.Decode(&doc)
	return doc
}

func marshal(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// templatePlaceholder finds the <name> placeholders of an input template.
var templatePlaceholder = regexp.MustCompile(`<([A-Za-z0-9_.\-]+)>`)

// checkTemplatePlaceholders refuses an InputTemplate that names a variable InputPathsMap
// does not define, and one that puts <aws.events.event.json> anywhere but in a JSON
// object template: AWS fails PutTargets for both.
func checkTemplatePlaceholders(target string, it *InputTransformer) error {
	tmpl := deref(it.InputTemplate)
	for _, m := range templatePlaceholder.FindAllStringSubmatch(tmpl, -1) {
		name := m[1]
		if _, ok := it.InputPathsMap[name]; ok {
			continue
		}
		if _, ok := reserved(name, nil, transformContext{}); !ok {
			return NewValidationException(fmt.Sprintf("InputTemplate for target %s contains invalid placeholder %s.", target, name))
		}
		if name == "aws.events.event.json" && !strings.HasPrefix(strings.TrimSpace(tmpl), "{") {
			return NewValidationException(fmt.Sprintf("InputTemplate for target %s contains placeholder %s valid only for JSON template.", target, name))
		}
	}
	return nil
}

// transformContext is what the reserved variables of an input template name.
type transformContext struct {
	ruleARN, ruleName string
	ingested          time.Time
}

// applyTransformer renders an InputTransformer. A placeholder inside a JSON string takes
// a string value's raw text (escaped for the string) and any other value's JSON; outside
// a string it takes the value's JSON. A path that names nothing yields null outside
// strings and nothing inside them.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
func applyTransformer(event []byte, paths map[string]string, template string, tc transformContext) string {
	doc := decodeEvent(event)
	values := map[string]any{}
	found := map[string]bool{}
	for name, p := range paths {
		v, ok := jsonPath(doc, p)
		values[name], found[name] = v, ok
	}
	var out strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(template); i++ {
		ch := template[i]
		if ch == '<' {
			end := strings.IndexByte(template[i:], '>')
			if end > 1 {
				name := template[i+1 : i+end]
				if v, ok := reserved(name, event, tc); ok {
					if inString {
						out.WriteString(escapeString(v))
					} else {
						out.WriteString(v)
					}
					i += end
					continue
				}
				if _, ok := paths[name]; ok {
					v := values[name]
					switch {
					case inString && !found[name]:
					case inString:
						if s, isStr := v.(string); isStr {
							out.WriteString(escapeString(s))
						} else {
							out.WriteString(escapeString(marshal(v)))
						}
					case !found[name]:
						out.WriteString("null")
					default:
						out.WriteString(marshal(v))
					}
					i += end
					continue
				}
			}
		}
		switch {
		case escaped:
			escaped = false
		case ch == '\\' && inString:
			escaped = true
		case ch == '"':
			inString = !inString
		}
		out.WriteByte(ch)
	}
	return out.String()
}

// reserved returns the value of a reserved input template variable.
func reserved(name string, event []byte, tc transformContext) (string, bool) {
	switch name {
	case "aws.events.rule-arn":
		return tc.ruleARN, true
	case "aws.events.rule-name":
		return tc.ruleName, true
	case "aws.events.event.ingestion-time":
		return tc.ingested.UTC().Format(time.RFC3339), true
	case "aws.events.event":
		return eventWithoutDetail(event), true
	case "aws.events.event.json":
		return string(event), true
	}
	return "", false
}

// eventWithoutDetail renders <aws.events.event>: the event's envelope without its
// detail, with detail-type spelled detailType, in the order AWS writes it.
func eventWithoutDetail(event []byte) string {
	var env map[string]json.RawMessage
	if json.Unmarshal(event, &env) != nil {
		return "null"
	}
	var b strings.Builder
	b.WriteByte('{')
	for _, k := range [...][2]string{{"id", "id"}, {"account", "account"}, {"detail-type", "detailType"},
		{"time", "time"}, {"source", "source"}, {"region", "region"}, {"resources", "resources"}, {"version", "version"}} {
		v, ok := env[k[0]]
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k[1]) + ":")
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String()
}

// escapeString escapes s for the inside of a JSON string.
func escapeString(s string) string {
	q := marshal(s)
	return q[1 : len(q)-1]
}

// applyInputPath returns the JSON of the part of event that path names ("" when none).
func applyInputPath(event []byte, path string) string {
	v, ok := jsonPath(decodeEvent(event), path)
	if !ok {
		return ""
	}
	return marshal(v)
}
