package protocol

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// cborCodec speaks smithy-rpc-v2-cbor: POST /service/<Service>/operation/<Op> with a
// CBOR map body, answered with smithy-protocol: rpc-v2-cbor and a CBOR map.
type cborCodec struct{}

var cborDecMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:       cbor.DupMapKeyQuiet,
		MaxNestedLevels: maxNesting,
		IndefLength:     cbor.IndefLengthAllowed,
		TagsMd:          cbor.TagsAllowed,
		IntDec:          cbor.IntDecConvertNone,
		DefaultMapType:  reflect.TypeFor[map[string]any](),
		UTF8:            cbor.UTF8RejectInvalid,
		TimeTagToAny:    cbor.TimeTagToTime,
	}.DecMode()
	if err != nil {
		panic(err) // the options are constant
	}
	return dm
}()

const (
	hdrSmithyProtocol = "Smithy-Protocol"
	cborContentType   = "application/cbor"
)

// RPCv2Path reads the service and operation names from the path of an rpcv2Cbor
// request, which ends in /service/<ServiceName>/operation/<OperationName> (a prefix is
// allowed before it).
func RPCv2Path(path string) (service, operation string, ok bool) {
	parts := strings.Split(path, "/")
	n := len(parts)
	if n < 5 || parts[n-4] != "service" || parts[n-2] != "operation" || parts[n-3] == "" || parts[n-1] == "" {
		return "", "", false
	}
	return parts[n-3], parts[n-1], true
}

// Decode implements Codec.
func (cborCodec) Decode(req *Request, in any) error {
	v, si, err := inputStruct(in)
	if err != nil {
		return err
	}
	if len(req.Body) == 0 {
		return nil
	}
	var x any
	if err := cborDecMode.Unmarshal(req.Body, &x); err != nil {
		return SerializationException("Malformed CBOR request body: " + err.Error())
	}
	if x == nil {
		return nil
	}
	m, ok := x.(map[string]any)
	if !ok {
		return SerializationException("Expected a CBOR map as the request body")
	}
	if e := cborStruct(m, v, si); e != nil {
		return e
	}
	return nil
}

func cborStruct(m map[string]any, v reflect.Value, si *structInfo) *Error {
	for k, x := range m {
		f := si.byJSON[k]
		if f == nil || x == nil {
			continue
		}
		if e := cborValue(x, v.Field(f.index), f.t); e != nil {
			return e
		}
	}
	return nil
}

func cborMismatch(x any, ti *typeInfo) *Error {
	return SerializationException("CBOR " + cborTypeName(x) + " can not be converted to " + withArticle(kindName(ti)))
}

func cborTypeName(x any) string {
	switch x.(type) {
	case string:
		return "text string"
	case []byte:
		return "byte string"
	case uint64, int64, big.Int:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "map"
	case time.Time:
		return "timestamp"
	}
	return "value"
}

// cborValue stores a decoded CBOR item into v, a member of type ti.
func cborValue(x any, v reflect.Value, ti *typeInfo) *Error {
	if x == nil {
		return nil
	}
	switch ti.kind {
	case kindString:
		s, ok := x.(string)
		if !ok {
			return cborMismatch(x, ti)
		}
		settable(v, ti).SetString(s)
	case kindBool:
		b, ok := x.(bool)
		if !ok {
			return cborMismatch(x, ti)
		}
		settable(v, ti).SetBool(b)
	case kindInt:
		var n int64
		switch x := x.(type) {
		case uint64:
			if x > math.MaxInt64 {
				return SerializationException("CBOR integer is out of range")
			}
			n = int64(x)
		case int64:
			n = x
		default:
			return cborMismatch(x, ti)
		}
		if ti.uns {
			if n < 0 || uint64(n) > maxUint(ti.bits) {
				return SerializationException("CBOR integer is out of range for " + withArticle(kindName(ti)))
			}
			settable(v, ti).SetUint(uint64(n))
			return nil
		}
		if n < minInt(ti.bits) || n > maxInt(ti.bits) {
			return SerializationException("CBOR integer is out of range for " + withArticle(kindName(ti)))
		}
		settable(v, ti).SetInt(n)
	case kindFloat32, kindFloat64:
		var f float64
		switch x := x.(type) {
		case float64:
			f = x
		case uint64:
			f = float64(x)
		case int64:
			f = float64(x)
		default:
			return cborMismatch(x, ti)
		}
		settable(v, ti).SetFloat(f)
	case kindTime:
		var t time.Time
		switch x := x.(type) {
		case time.Time:
			// Epoch floats carry milliseconds; undo the binary fraction's rounding error.
			t = x.Round(time.Millisecond).UTC()
		case float64:
			var ok bool
			if t, ok = epochFromFloat(x); !ok {
				return SerializationException("CBOR timestamp is out of range")
			}
		case uint64:
			if x > 1e12 {
				return SerializationException("CBOR timestamp is out of range")
			}
			t = time.Unix(int64(x), 0).UTC()
		case int64:
			if x < -1e12 {
				return SerializationException("CBOR timestamp is out of range")
			}
			t = time.Unix(x, 0).UTC()
		default:
			return cborMismatch(x, ti)
		}
		settable(v, ti).Set(reflect.ValueOf(t))
	case kindBlob:
		switch x := x.(type) {
		case []byte:
			settable(v, ti).SetBytes(x)
		case string:
			settable(v, ti).SetBytes([]byte(x))
		default:
			return cborMismatch(x, ti)
		}
	case kindDocument:
		p, err := json.Marshal(jsonCompatible(x))
		if err != nil {
			return SerializationException("CBOR document can not be converted to JSON")
		}
		settable(v, ti).SetBytes(p)
	case kindList:
		items, ok := x.([]any)
		if !ok {
			return cborMismatch(x, ti)
		}
		s := reflect.MakeSlice(ti.base, 0, len(items))
		et := ti.base.Elem()
		for _, it := range items {
			if it == nil {
				continue
			}
			e := reflect.New(et).Elem()
			if err := cborValue(it, e, ti.elem); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
	case kindMap:
		m, ok := x.(map[string]any)
		if !ok {
			return cborMismatch(x, ti)
		}
		out := reflect.MakeMapWithSize(ti.base, len(m))
		kt, et := ti.base.Key(), ti.base.Elem()
		for k, it := range m {
			if it == nil {
				continue
			}
			e := reflect.New(et).Elem()
			if err := cborValue(it, e, ti.elem); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(kt), e)
		}
		v.Set(out)
	case kindStruct:
		m, ok := x.(map[string]any)
		if !ok {
			return cborMismatch(x, ti)
		}
		return cborStruct(m, settable(v, ti), ti.st)
	}
	return nil
}

// jsonCompatible turns decoded CBOR into values encoding/json writes faithfully.
func jsonCompatible(x any) any {
	switch x := x.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonCompatible(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonCompatible(e)
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case time.Time:
		return float64(x.UnixMilli()) / 1e3
	case big.Int:
		return json.Number(x.String())
	case cbor.Tag:
		return jsonCompatible(x.Content)
	}
	return x
}

func setCBORHeaders(h http.Header, req *Request) {
	h.Set(hdrRequestID, req.RequestID)
	h.Set(hdrSmithyProtocol, "rpc-v2-cbor")
}

// EncodeOutput implements Codec.
func (cborCodec) EncodeOutput(w http.ResponseWriter, req *Request, out any) {
	setCBORHeaders(w.Header(), req)
	bp := getBuf()
	b := *bp
	if v, si := outputStruct(out); si != nil {
		b = appendCBORStruct(b, v, si)
	} else {
		b = appendCBORHead(b, cborMajorMap, 0)
	}
	writeBody(w, http.StatusOK, cborContentType, b)
	*bp = b
	putBuf(bp)
}

// EncodeError implements Codec: a map with __type and message next to the error's
// members, plus x-amzn-query-error for awsQueryCompatible services (CloudWatch).
func (cborCodec) EncodeError(w http.ResponseWriter, req *Request, e *Error) {
	e = orInternal(e)
	h := w.Header()
	setCBORHeaders(h, req)
	typ := e.Code
	if req.Service != nil {
		typ = shapeNamespace(req.Service) + "#" + e.Code
		if req.Service.QueryCompatible {
			h.Set(hdrQueryError, e.WireQueryCode()+";"+e.Fault.String())
		}
	}
	setErrorHeaders(h, e)
	keys := errorFieldKeys(e)
	n := 1 + len(keys)
	if e.Message != "" {
		n++
	}
	bp := getBuf()
	b := appendCBORHead(*bp, cborMajorMap, uint64(n))
	b = appendCBORString(b, "__type")
	b = appendCBORString(b, typ)
	if e.Message != "" {
		b = appendCBORString(b, e.messageKey())
		b = appendCBORString(b, e.Message)
	}
	for _, k := range keys {
		b = appendCBORString(b, k)
		b = appendCBORAny(b, e.Fields[k])
	}
	writeBody(w, e.HTTPStatus(), cborContentType, b)
	*bp = b
	putBuf(bp)
}

const (
	cborMajorUint   = 0
	cborMajorNegInt = 1
	cborMajorBytes  = 2
	cborMajorText   = 3
	cborMajorArray  = 4
	cborMajorMap    = 5
	cborMajorTag    = 6
	cborMajorSimple = 7
)

func appendCBORHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendCBORString(b []byte, s string) []byte {
	b = appendCBORHead(b, cborMajorText, uint64(len(s)))
	return append(b, s...)
}

func appendCBORInt(b []byte, n int64) []byte {
	if n >= 0 {
		return appendCBORHead(b, cborMajorUint, uint64(n))
	}
	return appendCBORHead(b, cborMajorNegInt, uint64(-(n + 1)))
}

func appendCBORFloat64(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, cborMajorSimple<<5|27), math.Float64bits(f))
}

func appendCBORFloat32(b []byte, f float32) []byte {
	return binary.BigEndian.AppendUint32(append(b, cborMajorSimple<<5|26), math.Float32bits(f))
}

// appendCBORTime writes tag 1 around epoch seconds as a double (see epochFloat for why
// the double may be one ulp above the decimal).
func appendCBORTime(b []byte, t time.Time) []byte {
	b = append(b, cborMajorTag<<5|1)
	return appendCBORFloat64(b, epochFloat(t.UnixMilli()))
}

func appendCBORStruct(b []byte, v reflect.Value, si *structInfo) []byte {
	n := 0
	for _, f := range si.fields {
		if !isEmpty(v.Field(f.index)) {
			n++
		}
	}
	b = appendCBORHead(b, cborMajorMap, uint64(n))
	for _, f := range si.fields {
		fv := v.Field(f.index)
		if isEmpty(fv) {
			continue
		}
		b = appendCBORString(b, f.name)
		b = appendCBORValue(b, fv, f.t)
	}
	return b
}

const cborNull = cborMajorSimple<<5 | 22

func appendCBORValue(b []byte, v reflect.Value, ti *typeInfo) []byte {
	if ti.ptr {
		if v.IsNil() {
			return append(b, cborNull)
		}
		v = v.Elem()
	}
	switch ti.kind {
	case kindString:
		return appendCBORString(b, v.String())
	case kindBool:
		if v.Bool() {
			return append(b, cborMajorSimple<<5|21)
		}
		return append(b, cborMajorSimple<<5|20)
	case kindInt:
		if ti.uns {
			return appendCBORHead(b, cborMajorUint, v.Uint())
		}
		return appendCBORInt(b, v.Int())
	case kindFloat32:
		return appendCBORFloat32(b, float32(v.Float()))
	case kindFloat64:
		return appendCBORFloat64(b, v.Float())
	case kindTime:
		return appendCBORTime(b, timeOf(v))
	case kindBlob:
		b = appendCBORHead(b, cborMajorBytes, uint64(v.Len()))
		return append(b, v.Bytes()...)
	case kindDocument:
		return appendCBORDocument(b, v.Bytes())
	case kindList:
		if v.IsNil() {
			return append(b, cborNull)
		}
		b = appendCBORHead(b, cborMajorArray, uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			b = appendCBORValue(b, v.Index(i), ti.elem)
		}
		return b
	case kindMap:
		if v.IsNil() {
			return append(b, cborNull)
		}
		b = appendCBORHead(b, cborMajorMap, uint64(v.Len()))
		for _, k := range sortedKeys(v) {
			b = appendCBORString(b, k.String())
			b = appendCBORValue(b, v.MapIndex(k), ti.elem)
		}
		return b
	case kindStruct:
		return appendCBORStruct(b, v, ti.st)
	}
	return append(b, cborNull)
}

// appendCBORDocument writes a JSON document as the equivalent CBOR data.
func appendCBORDocument(b []byte, doc []byte) []byte {
	if len(bytes.TrimSpace(doc)) == 0 {
		return append(b, cborNull)
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return append(b, cborNull)
	}
	return appendCBORAny(b, x)
}

// appendCBORAny writes a generic value: decoded JSON, an Error's Fields, or a
// generated type.
func appendCBORAny(b []byte, x any) []byte {
	switch x := x.(type) {
	case nil:
		return append(b, cborNull)
	case string:
		return appendCBORString(b, x)
	case bool:
		if x {
			return append(b, cborMajorSimple<<5|21)
		}
		return append(b, cborMajorSimple<<5|20)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return appendCBORInt(b, n)
		}
		f, _ := x.Float64()
		return appendCBORFloat64(b, f)
	case float64:
		return appendCBORFloat64(b, x)
	case int:
		return appendCBORInt(b, int64(x))
	case int64:
		return appendCBORInt(b, x)
	case int32:
		return appendCBORInt(b, int64(x))
	case time.Time:
		return appendCBORTime(b, x)
	case []byte:
		b = appendCBORHead(b, cborMajorBytes, uint64(len(x)))
		return append(b, x...)
	case []any:
		b = appendCBORHead(b, cborMajorArray, uint64(len(x)))
		for _, e := range x {
			b = appendCBORAny(b, e)
		}
		return b
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = appendCBORHead(b, cborMajorMap, uint64(len(keys)))
		for _, k := range keys {
			b = appendCBORString(b, k)
			b = appendCBORAny(b, x[k])
		}
		return b
	}
	v := reflect.ValueOf(x)
	if ti := infoOf(v.Type()); ti.kind != kindInvalid && ti.kind != kindStream {
		if isEmpty(v) {
			return append(b, cborNull)
		}
		return appendCBORValue(b, v, ti)
	}
	p, err := json.Marshal(x)
	if err != nil {
		return append(b, cborNull)
	}
	return appendCBORDocument(b, p)
}
