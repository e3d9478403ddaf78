package protocol

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
)

// xnode is one element of a parsed XML document.
type xnode struct {
	name  string // local name
	attrs []xml.Attr
	kids  []*xnode
	text  []byte
}

var errXMLTooDeep = errors.New("xml nesting too deep")

// parseXML reads a document into a tree and returns its root element.
func parseXML(data []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxNesting {
				return nil, errXMLTooDeep
			}
			n := &xnode{name: t.Name.Local, attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != t.Name.Local {
				return nil, errors.New("unbalanced end element")
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.text = append(p.text, t...)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, errors.New("no complete root element")
	}
	return root, nil
}

// xmlDecoder maps a parsed document onto generated types.
type xmlDecoder struct {
	invalid func(msg string) *Error
}

// decodeXMLStruct fills structure v from element n. With bodyOnly, members bound to
// the HTTP request elsewhere are not read.
func (d xmlDecoder) decodeXMLStruct(n *xnode, v reflect.Value, si *structInfo, bodyOnly bool) *Error {
	for _, a := range n.attrs {
		for _, f := range si.fields {
			if f.xmlAttr && attrMatches(f.xname(), a.Name) && isScalar(f.t) {
				if err := setText(v.Field(f.index), f.t, a.Value, false); err != nil {
					return d.invalid("Invalid value for attribute " + f.xname())
				}
			}
		}
	}
	for _, k := range n.kids {
		f := si.byXML[k.name]
		if f == nil || bodyOnly && (f.loc != locBody || f.payload) {
			continue
		}
		if e := d.decodeXMLMember(k, v.Field(f.index), f); e != nil {
			return e
		}
	}
	return nil
}

// attrMatches compares an attribute name from the model ("xsi:type", "id") with one
// parsed from the document.
func attrMatches(model string, n xml.Name) bool {
	if i := strings.IndexByte(model, ':'); i >= 0 {
		return n.Local == model[i+1:]
	}
	return n.Local == model && n.Space == ""
}

func (d xmlDecoder) decodeXMLMember(k *xnode, v reflect.Value, f *fieldInfo) *Error {
	ti := f.t
	switch ti.kind {
	case kindList:
		if f.xflat() && (k.name == f.xitem() || k.name == f.xname()) {
			// One element per item: append to what earlier siblings gave.
			e := reflect.New(ti.base.Elem()).Elem()
			if err := d.decodeXMLValue(k, e, ti.elem); err != nil {
				return err
			}
			if v.IsNil() {
				v.Set(reflect.MakeSlice(ti.base, 0, 4))
			}
			v.Set(reflect.Append(v, e))
			return nil
		}
		return d.decodeXMLList(k, v, ti)
	case kindMap:
		if f.xflat() {
			if v.IsNil() {
				v.Set(reflect.MakeMap(ti.base))
			}
			return d.decodeXMLEntry(k, v, ti, f.xkey(), f.xvalue())
		}
		return d.decodeXMLMap(k, v, ti, f.xkey(), f.xvalue())
	}
	return d.decodeXMLValue(k, v, ti)
}

// decodeXMLValue fills v from element n for a value that is not a flattened member.
func (d xmlDecoder) decodeXMLValue(n *xnode, v reflect.Value, ti *typeInfo) *Error {
	switch ti.kind {
	case kindStruct:
		return d.decodeXMLStruct(n, settable(v, ti), ti.st, false)
	case kindList:
		return d.decodeXMLList(n, v, ti)
	case kindMap:
		return d.decodeXMLMap(n, v, ti, "key", "value")
	case kindStream, kindInvalid:
		return nil
	}
	text := string(n.text)
	if ti.kind != kindString {
		text = strings.TrimSpace(text)
		if text == "" {
			return nil
		}
	}
	if err := setText(v, ti, text, false); err != nil {
		return d.invalid("Invalid value for " + n.name + ": " + truncate(text, 64))
	}
	return nil
}

func (d xmlDecoder) decodeXMLList(n *xnode, v reflect.Value, ti *typeInfo) *Error {
	s := reflect.MakeSlice(ti.base, 0, len(n.kids))
	et := ti.base.Elem()
	for _, k := range n.kids {
		e := reflect.New(et).Elem()
		if err := d.decodeXMLValue(k, e, ti.elem); err != nil {
			return err
		}
		s = reflect.Append(s, e)
	}
	v.Set(s)
	return nil
}

func (d xmlDecoder) decodeXMLMap(n *xnode, v reflect.Value, ti *typeInfo, key, value string) *Error {
	if v.IsNil() {
		v.Set(reflect.MakeMap(ti.base))
	}
	for _, en := range n.kids {
		if err := d.decodeXMLEntry(en, v, ti, key, value); err != nil {
			return err
		}
	}
	return nil
}

// decodeXMLEntry adds the <key>/<value> pair held by element en to map v.
func (d xmlDecoder) decodeXMLEntry(en *xnode, v reflect.Value, ti *typeInfo, key, value string) *Error {
	var kn, vn *xnode
	for _, c := range en.kids {
		switch c.name {
		case key:
			kn = c
		case value:
			vn = c
		}
	}
	if kn == nil {
		return nil
	}
	e := reflect.New(ti.base.Elem()).Elem()
	if vn != nil {
		if err := d.decodeXMLValue(vn, e, ti.elem); err != nil {
			return err
		}
	}
	if ti.elem.kind == kindStruct {
		settable(e, ti.elem)
	}
	v.SetMapIndex(reflect.ValueOf(string(kn.text)).Convert(ti.base.Key()), e)
	return nil
}
