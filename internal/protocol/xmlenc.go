package protocol

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// appendXMLMembers writes the members of structure v as child elements, using the
// query/XML names (qname and friends win over name). With bodyOnly, members bound to
// HTTP headers, the URI, the query string or the status code are left out.
func appendXMLMembers(b []byte, v reflect.Value, si *structInfo, bodyOnly bool) []byte {
	for _, f := range si.fields {
		if f.xmlAttr || bodyOnly && (f.loc != locBody || f.payload) {
			continue
		}
		fv := v.Field(f.index)
		if isEmpty(fv) {
			continue
		}
		b = appendXMLMember(b, fv, f)
	}
	return b
}

// appendXMLMember writes one member, which for flattened lists and maps means one
// element per item.
func appendXMLMember(b []byte, v reflect.Value, f *fieldInfo) []byte {
	name := f.xname()
	ti := f.t
	switch ti.kind {
	case kindList:
		if f.xflat() {
			item := f.xitem()
			for i := 0; i < v.Len(); i++ {
				b = appendXMLElement(b, item, "", v.Index(i), ti.elem, f.ts)
			}
			return b
		}
		b = appendStartTag(b, name, f.xmlNS, reflect.Value{}, nil)
		b = appendXMLItems(b, v, ti, f.xmember(), f.ts)
		return appendEndTag(b, name)
	case kindMap:
		if f.xflat() {
			for _, k := range sortedKeys(v) {
				b = appendStartTag(b, name, f.xmlNS, reflect.Value{}, nil)
				b = appendXMLEntry(b, k.String(), v.MapIndex(k), ti.elem, f.xkey(), f.xvalue(), f.ts)
				b = appendEndTag(b, name)
			}
			return b
		}
		b = appendStartTag(b, name, f.xmlNS, reflect.Value{}, nil)
		b = appendXMLEntries(b, v, ti, f.xkey(), f.xvalue(), f.ts)
		return appendEndTag(b, name)
	}
	return appendXMLElement(b, name, f.xmlNS, v, ti, f.ts)
}

// appendXMLElement writes <name>value</name> for a value that is not a flattened
// member: a scalar, a structure, or a nested (non-flattened) list or map.
func appendXMLElement(b []byte, name, ns string, v reflect.Value, ti *typeInfo, ts tsFormat) []byte {
	if isEmpty(v) {
		return b
	}
	switch ti.kind {
	case kindStruct:
		v = deref(v, ti)
		if ns == "" {
			ns = ti.st.xmlNS
		}
		b = appendStartTag(b, name, ns, v, ti.st)
		b = appendXMLMembers(b, v, ti.st, false)
	case kindList:
		b = appendStartTag(b, name, ns, reflect.Value{}, nil)
		b = appendXMLItems(b, v, ti, "member", ts)
	case kindMap:
		b = appendStartTag(b, name, ns, reflect.Value{}, nil)
		b = appendXMLEntries(b, v, ti, "key", "value", ts)
	case kindStream, kindInvalid:
		return b
	default:
		b = appendStartTag(b, name, ns, reflect.Value{}, nil)
		b = appendXMLScalar(b, v, ti, ts)
	}
	return appendEndTag(b, name)
}

func appendXMLItems(b []byte, v reflect.Value, ti *typeInfo, member string, ts tsFormat) []byte {
	for i := 0; i < v.Len(); i++ {
		b = appendXMLElement(b, member, "", v.Index(i), ti.elem, ts)
	}
	return b
}

func appendXMLEntries(b []byte, v reflect.Value, ti *typeInfo, key, value string, ts tsFormat) []byte {
	for _, k := range sortedKeys(v) {
		b = append(b, "<entry>"...)
		b = appendXMLEntry(b, k.String(), v.MapIndex(k), ti.elem, key, value, ts)
		b = append(b, "</entry>"...)
	}
	return b
}

func appendXMLEntry(b []byte, k string, v reflect.Value, ti *typeInfo, key, value string, ts tsFormat) []byte {
	b = append(b, '<')
	b = append(b, key...)
	b = append(b, '>')
	b = appendXMLText(b, k, false)
	b = appendEndTag(b, key)
	return appendXMLElement(b, value, "", v, ti, ts)
}

// appendXMLScalar writes a scalar as element text: timestamps default to ISO 8601 with
// milliseconds, blobs to base64.
func appendXMLScalar(b []byte, v reflect.Value, ti *typeInfo, ts tsFormat) []byte {
	if ti.kind == kindString {
		return appendXMLText(b, deref(v, ti).String(), false)
	}
	return appendText(b, v, ti, ts, tsISO, true)
}

// appendStartTag writes <name xmlns... attrs>. st, when given, is the structure whose
// xmlattr members become attributes.
func appendStartTag(b []byte, name, ns string, v reflect.Value, st *structInfo) []byte {
	b = append(b, '<')
	b = append(b, name...)
	if ns != "" {
		b = appendXMLNS(b, ns)
	}
	if st != nil {
		for _, f := range st.fields {
			if !f.xmlAttr {
				continue
			}
			fv := v.Field(f.index)
			if isEmpty(fv) || !isScalar(f.t) {
				continue
			}
			b = append(b, ' ')
			b = append(b, f.xname()...)
			b = append(b, `="`...)
			if f.t.kind == kindString {
				b = appendXMLText(b, deref(fv, f.t).String(), true)
			} else {
				b = appendText(b, fv, f.t, f.ts, tsISO, true)
			}
			b = append(b, '"')
		}
	}
	return append(b, '>')
}

// appendXMLNS writes an xmlns attribute from a tag value: "uri" or "prefix:uri".
func appendXMLNS(b []byte, ns string) []byte {
	prefix, uri := splitXMLNS(ns)
	b = append(b, " xmlns"...)
	if prefix != "" {
		b = append(b, ':')
		b = append(b, prefix...)
	}
	b = append(b, `="`...)
	b = appendXMLText(b, uri, true)
	return append(b, '"')
}

// splitXMLNS splits "prefix:uri" from a bare "uri" (which has a colon of its own after
// the scheme: "http://...").
func splitXMLNS(ns string) (prefix, uri string) {
	p, rest, ok := strings.Cut(ns, ":")
	if ok && strings.Contains(rest, ":") && !strings.Contains(p, "/") && !strings.HasPrefix(rest, "//") {
		return p, rest
	}
	return "", ns
}

func appendEndTag(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

// appendXMLText escapes s as XML character data (attr: as an attribute value).
// Carriage returns are written as references, since XML parsers fold a literal CR into
// a line feed; characters XML cannot carry at all become U+FFFD.
func appendXMLText(b []byte, s string, attr bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		if c < utf8.RuneSelf {
			switch c {
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '"':
				esc = "&quot;"
			case '\r':
				esc = "&#xD;"
			case '\n':
				if attr {
					esc = "&#xA;"
				}
			case '\t':
				if attr {
					esc = "&#x9;"
				}
			default:
				if c < 0x20 {
					esc = "\uFFFD"
				}
			}
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			b = append(b, s[start:i]...)
			b = append(b, esc...)
			start = i + size
		}
		i += size
	}
	return append(b, s[start:]...)
}

// appendXMLAny writes a value of an Error's Fields as element content.
func appendXMLAny(b []byte, name string, x any) []byte {
	switch x := x.(type) {
	case nil:
		return b
	case string:
		b = appendStartTag(b, name, "", reflect.Value{}, nil)
		b = appendXMLText(b, x, false)
		return appendEndTag(b, name)
	case time.Time:
		b = appendStartTag(b, name, "", reflect.Value{}, nil)
		b = appendISO(b, x, true)
		return appendEndTag(b, name)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = appendStartTag(b, name, "", reflect.Value{}, nil)
		for _, k := range keys {
			b = appendXMLAny(b, k, x[k])
		}
		return appendEndTag(b, name)
	case []any:
		b = appendStartTag(b, name, "", reflect.Value{}, nil)
		for _, e := range x {
			b = appendXMLAny(b, "member", e)
		}
		return appendEndTag(b, name)
	}
	v := reflect.ValueOf(x)
	if ti := infoOf(v.Type()); ti.kind != kindInvalid {
		return appendXMLElement(b, name, "", v, ti, tsDefault)
	}
	b = appendStartTag(b, name, "", reflect.Value{}, nil)
	b = appendXMLText(b, fmt.Sprint(x), false)
	return appendEndTag(b, name)
}

// appendXMLErrorBody writes <Type>, <Code>, <Message> and the extra fields of e, the
// inside of a query or rest-xml <Error> element. withType adds <Type>Sender</Type>.
func appendXMLErrorBody(b []byte, e *Error, code string, withType bool) []byte {
	if withType {
		b = append(b, "<Type>"...)
		b = append(b, e.Fault.String()...)
		b = append(b, "</Type>"...)
	}
	b = append(b, "<Code>"...)
	b = appendXMLText(b, code, false)
	b = append(b, "</Code><Message>"...)
	b = appendXMLText(b, e.Message, false)
	b = append(b, "</Message>"...)
	for _, k := range errorFieldKeys(e) {
		if k == "Code" || k == "Type" || k == "RequestId" {
			continue
		}
		b = appendXMLAny(b, k, e.Fields[k])
	}
	return b
}

// isSQS reports whether svc is SQS, whose query protocol answers in ways of its own.
func isSQS(svc *ServiceInfo) bool {
	return svc != nil && (svc.EndpointPrefix == "sqs" || svc.ModelName == "sqs")
}

// xmlNamespace returns the namespace of a service's query and rest-xml responses.
func xmlNamespace(svc *ServiceInfo) string {
	switch {
	case svc == nil:
		return ""
	case svc.XMLNamespace != "":
		return svc.XMLNamespace
	case isSQS(svc):
		// SQS's current model is JSON and no longer names the namespace its query
		// protocol answers in.
		return "http://queue.amazonaws.com/doc/" + svc.APIVersion + "/"
	case svc.ModelName == "s3" || svc.EndpointPrefix == "s3":
		return "http://s3.amazonaws.com/doc/" + svc.APIVersion + "/"
	case svc.EndpointPrefix != "" && svc.APIVersion != "":
		return "https://" + svc.EndpointPrefix + ".amazonaws.com/doc/" + svc.APIVersion + "/"
	}
	return ""
}
