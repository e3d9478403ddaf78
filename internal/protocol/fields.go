package protocol

import (
	"io"
	"reflect"
	"strings"
	"sync"
	"time"
)

// kind classifies a Go type by how the codecs treat it on the wire.
type kind uint8

const (
	kindInvalid  kind = iota // not a wire type; the field is skipped
	kindString               // string and named string types (enums)
	kindBool                 // bool
	kindInt                  // any signed or unsigned integer
	kindFloat32              // float32
	kindFloat64              // float64
	kindTime                 // time.Time
	kindBlob                 // []byte
	kindDocument             // Document (json.RawMessage)
	kindStream               // io.Reader / io.ReadCloser (streaming output payload)
	kindList                 // []T
	kindMap                  // map[string]T
	kindStruct               // struct
)

// location says where a top-level member travels in the rest protocols.
type location uint8

const (
	locBody location = iota
	locHeader
	locHeaders // prefix headers: a map
	locURI
	locQuery
	locStatus
)

// tsFormat is a timestamp wire format; tsDefault means the protocol's default for the
// member's location.
type tsFormat uint8

const (
	tsDefault tsFormat = iota
	tsISO              // iso8601 / date-time
	tsEpoch            // unixTimestamp / epoch-seconds
	tsHTTP             // rfc822 / http-date
)

// typeInfo describes one Go type as the codecs see it. Infos are built once per type
// and cached (like encoding/json's field cache); they are immutable afterwards.
type typeInfo struct {
	typ  reflect.Type // the type as declared (may be a pointer)
	base reflect.Type // typ without its pointer
	ptr  bool         // typ is a pointer to base
	kind kind
	bits int         // integer size in bits
	uns  bool        // unsigned integer
	elem *typeInfo   // list item or map value
	st   *structInfo // kindStruct
}

// structInfo describes a generated structure.
type structInfo struct {
	name    string // Go type name, the XML root element when no xmlname is given
	xmlName string // root element name (from the `_ struct{}` field)
	xmlNS   string // root namespace (uri, or "prefix:uri")
	fields  []*fieldInfo

	// byJSON finds a member by wire name (awsJson, rest-json, cbor).
	byJSON map[string]*fieldInfo
	// byXML finds a member by its query/XML element name (including the item element
	// name of flattened lists and maps), for XML decoding.
	byXML map[string]*fieldInfo
	// payload is the member bound to the whole HTTP body, if any.
	payload *fieldInfo
	// hasBody is true when some member travels in the body (rest protocols).
	hasBody bool
	// hasBinding is true when some member travels in a header, the URI, the query
	// string or the status code.
	hasBinding bool
}

// fieldInfo describes one member of a structure.
type fieldInfo struct {
	goName    string
	index     int
	name      string // wire name
	loc       location
	payload   bool
	ts        tsFormat
	flat      bool
	member    string
	key       string
	value     string
	xmlAttr   bool
	xmlNS     string
	jsonValue bool
	stream    bool
	required  bool

	// Overrides used by the query and XML codecs only.
	qname, qmember, qkey, qvalue string
	qflat, qflatSet              bool

	t *typeInfo
}

// xname returns the member's name in query parameters and XML elements.
func (f *fieldInfo) xname() string {
	if f.qname != "" {
		return f.qname
	}
	return f.name
}

// xflat reports whether the member is a flattened list or map in query and XML.
func (f *fieldInfo) xflat() bool {
	if f.qflatSet {
		return f.qflat
	}
	return f.flat
}

// xmember returns the element name of list items in query and XML ("member" unless the
// model names it).
func (f *fieldInfo) xmember() string {
	switch {
	case f.qmember != "":
		return f.qmember
	case f.member != "":
		return f.member
	}
	return "member"
}

// xitem returns the name that repeats for each item of a flattened list or map: the
// list member's own name when the model gives one, else the member name.
func (f *fieldInfo) xitem() string {
	if f.t.kind == kindList {
		m := f.qmember
		if m == "" {
			m = f.member
		}
		if m != "" && m != "member" {
			return m
		}
	}
	return f.xname()
}

func (f *fieldInfo) xkey() string {
	switch {
	case f.qkey != "":
		return f.qkey
	case f.key != "":
		return f.key
	}
	return "key"
}

func (f *fieldInfo) xvalue() string {
	switch {
	case f.qvalue != "":
		return f.qvalue
	case f.value != "":
		return f.value
	}
	return "value"
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	documentType = reflect.TypeFor[Document]()
	readerType   = reflect.TypeFor[io.Reader]()
)

var (
	typeCache sync.Map // reflect.Type -> *typeInfo
	buildMu   sync.Mutex
)

// infoOf returns the cached description of t, building it on first use.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo)
	}
	b := &infoBuilder{structs: map[reflect.Type]*structInfo{}}
	ti := b.build(t)
	// Publish only once complete so that readers never see a half-built recursive type.
	typeCache.Store(t, ti)
	for st, si := range b.structs {
		if _, ok := typeCache.Load(st); !ok {
			typeCache.Store(st, &typeInfo{typ: st, base: st, kind: kindStruct, st: si})
		}
	}
	return ti
}

// structOf returns the structure description of a struct type or pointer to one.
func structOf(t reflect.Type) *structInfo {
	return infoOf(t).st
}

type infoBuilder struct {
	structs map[reflect.Type]*structInfo
}

func (b *infoBuilder) build(t reflect.Type) *typeInfo {
	ti := &typeInfo{typ: t, base: t}
	if t.Kind() == reflect.Pointer {
		ti.ptr = true
		ti.base = t.Elem()
	}
	bt := ti.base
	switch {
	case bt == timeType:
		ti.kind = kindTime
		return ti
	case bt == documentType:
		ti.kind = kindDocument
		return ti
	case bt.Kind() == reflect.Interface && bt.Implements(readerType):
		ti.kind = kindStream
		return ti
	}
	switch bt.Kind() {
	case reflect.String:
		ti.kind = kindString
	case reflect.Bool:
		ti.kind = kindBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.kind, ti.bits = kindInt, bt.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ti.kind, ti.bits, ti.uns = kindInt, bt.Bits(), true
	case reflect.Float32:
		ti.kind = kindFloat32
	case reflect.Float64:
		ti.kind = kindFloat64
	case reflect.Slice:
		if bt.Elem().Kind() == reflect.Uint8 {
			ti.kind = kindBlob
			return ti
		}
		ti.kind = kindList
		ti.elem = b.build(bt.Elem())
	case reflect.Map:
		if bt.Key().Kind() != reflect.String {
			return ti
		}
		ti.kind = kindMap
		ti.elem = b.build(bt.Elem())
	case reflect.Struct:
		ti.kind = kindStruct
		ti.st = b.structInfo(bt)
	}
	return ti
}

func (b *infoBuilder) structInfo(t reflect.Type) *structInfo {
	if si, ok := b.structs[t]; ok {
		return si
	}
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo).st
	}
	si := &structInfo{name: t.Name(), byJSON: map[string]*fieldInfo{}, byXML: map[string]*fieldInfo{}}
	b.structs[t] = si
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Name == "_" {
			si.xmlName = sf.Tag.Get("xmlname")
			si.xmlNS = sf.Tag.Get("xmlns")
			continue
		}
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		f := parseField(sf, i)
		f.t = b.build(sf.Type)
		if f.t.kind == kindInvalid {
			continue
		}
		si.fields = append(si.fields, f)
		if _, dup := si.byJSON[f.name]; !dup {
			si.byJSON[f.name] = f
		}
		if !f.xmlAttr {
			si.byXML[f.xname()] = f
			if f.xflat() {
				si.byXML[f.xitem()] = f
			}
		}
		switch {
		case f.payload:
			si.payload = f
		case f.loc == locBody:
			si.hasBody = true
		default:
			si.hasBinding = true
		}
	}
	return si
}

func parseField(sf reflect.StructField, index int) *fieldInfo {
	tag := sf.Tag
	f := &fieldInfo{goName: sf.Name, index: index, name: tag.Get("name")}
	if f.name == "" {
		f.name = sf.Name
	}
	switch tag.Get("loc") {
	case "header":
		f.loc = locHeader
	case "headers":
		f.loc = locHeaders
	case "uri":
		f.loc = locURI
	case "querystring":
		f.loc = locQuery
	case "statusCode":
		f.loc = locStatus
	}
	f.payload = tag.Get("payload") == "true"
	f.ts = parseTSFormat(tag.Get("ts"))
	f.flat = tag.Get("flat") == "true"
	f.member = tag.Get("member")
	f.key = tag.Get("key")
	f.value = tag.Get("value")
	f.xmlAttr = tag.Get("xmlattr") == "true"
	f.xmlNS = tag.Get("xmlns")
	f.jsonValue = tag.Get("jsonvalue") == "true"
	f.stream = tag.Get("stream") == "true"
	f.required = tag.Get("required") == "true"
	f.qname = tag.Get("qname")
	f.qmember = tag.Get("qmember")
	f.qkey = tag.Get("qkey")
	f.qvalue = tag.Get("qvalue")
	if v, ok := tag.Lookup("qflat"); ok {
		f.qflatSet, f.qflat = true, v == "true"
	}
	return f
}

func parseTSFormat(s string) tsFormat {
	switch strings.ToLower(s) {
	case "iso8601", "date-time":
		return tsISO
	case "unixtimestamp", "epoch-seconds":
		return tsEpoch
	case "rfc822", "http-date":
		return tsHTTP
	}
	return tsDefault
}

// isEmpty reports whether a member value is absent and must be left out of output.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	}
	return false
}

// deref returns the value behind a pointer member (v must not be a nil pointer).
func deref(v reflect.Value, ti *typeInfo) reflect.Value {
	if ti.ptr {
		return v.Elem()
	}
	return v
}

// settable returns the value to store into for a member of type ti held in v,
// allocating the pointer target when the member is a pointer.
func settable(v reflect.Value, ti *typeInfo) reflect.Value {
	if !ti.ptr {
		return v
	}
	if v.IsNil() {
		v.Set(reflect.New(ti.base))
	}
	return v.Elem()
}
