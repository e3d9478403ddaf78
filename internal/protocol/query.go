package protocol

import (
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// queryCodec speaks awsQuery: Action=Op&Version=...&Member.Path=value parameters in a
// form body (or the URL query), XML responses wrapped in <OpResponse><OpResult> and
// <ErrorResponse> errors.
type queryCodec struct{}

// InvalidParameterValue answers a query parameter whose value does not fit its member.
func InvalidParameterValue(msg string) *Error {
	return &Error{Code: "InvalidParameterValue", Message: msg, Status: http.StatusBadRequest}
}

// QueryParams returns the parameters of a query-protocol request: the URL query merged
// with a form-encoded body (the body wins). It returns MalformedQueryString when either
// cannot be parsed.
func QueryParams(req *Request) (url.Values, *Error) {
	params := url.Values{}
	if req.HTTP != nil && req.HTTP.URL != nil && req.HTTP.URL.RawQuery != "" {
		q, err := url.ParseQuery(req.HTTP.URL.RawQuery)
		if err != nil {
			return nil, MalformedQueryString("The query string is malformed: " + err.Error())
		}
		params = q
	}
	if len(req.Body) > 0 && isFormBody(req) {
		form, err := url.ParseQuery(string(req.Body))
		if err != nil {
			return nil, MalformedQueryString("The request body is not a valid query string: " + err.Error())
		}
		for k, vs := range form {
			params[k] = vs
		}
	}
	return params, nil
}

func isFormBody(req *Request) bool {
	if req.HTTP == nil {
		return true
	}
	ct := req.HTTP.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err != nil || mt == "application/x-www-form-urlencoded" || mt == "text/plain"
}

// Decode implements Codec.
func (queryCodec) Decode(req *Request, in any) error {
	v, si, err := inputStruct(in)
	if err != nil {
		return err
	}
	params, perr := QueryParams(req)
	if perr != nil {
		return perr
	}
	root := &qnode{}
	for k, vs := range params {
		if k == "Action" || k == "Version" || len(vs) == 0 {
			continue
		}
		root.put(k, vs[0])
	}
	if e := decodeQueryStruct(root, v, si, ""); e != nil {
		return e
	}
	return nil
}

// qnode is one dotted path component of the query parameters: "A.member.1.B=x" is
// root→A→member→1→B holding x.
type qnode struct {
	val  string
	has  bool
	kids map[string]*qnode
}

func (n *qnode) put(key, val string) {
	for key != "" {
		part, rest, _ := strings.Cut(key, ".")
		if n.kids == nil {
			n.kids = map[string]*qnode{}
		}
		c := n.kids[part]
		if c == nil {
			c = &qnode{}
			n.kids[part] = c
		}
		n, key = c, rest
	}
	n.val, n.has = val, true
}

func (n *qnode) kid(name string) *qnode {
	if n == nil {
		return nil
	}
	return n.kids[name]
}

// items returns the numbered children (1, 2, ...) in numeric order.
func (n *qnode) items() []*qnode {
	if n == nil || len(n.kids) == 0 {
		return nil
	}
	type item struct {
		i int
		n *qnode
	}
	var its []item
	for k, c := range n.kids {
		if i, err := strconv.Atoi(k); err == nil && i > 0 {
			its = append(its, item{i, c})
		}
	}
	slices.SortFunc(its, func(a, b item) int { return a.i - b.i })
	out := make([]*qnode, len(its))
	for i, it := range its {
		out[i] = it.n
	}
	return out
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func decodeQueryStruct(n *qnode, v reflect.Value, si *structInfo, path string) *Error {
	for _, f := range si.fields {
		if e := decodeQueryMember(n, v.Field(f.index), f, path); e != nil {
			return e
		}
	}
	return nil
}

func decodeQueryMember(parent *qnode, v reflect.Value, f *fieldInfo, path string) *Error {
	name := f.xname()
	switch f.t.kind {
	case kindList:
		var container *qnode
		flat := f.xflat()
		if flat {
			container = parent.kid(f.xitem())
			if container == nil {
				container = parent.kid(name)
			}
		}
		if container != nil && container.has && len(container.kids) == 0 {
			// "Entry=" is how the query protocol sends an empty flattened list.
			v.Set(reflect.MakeSlice(f.t.base, 0, 0))
			return nil
		}
		if container == nil {
			ln := parent.kid(name)
			if ln != nil && ln.has && len(ln.kids) == 0 {
				// "List=" is how the query protocol sends an empty list.
				v.Set(reflect.MakeSlice(f.t.base, 0, 0))
				return nil
			}
			container = ln.kid(f.xmember())
			if container == nil && !flat {
				// Some clients flatten lists the model does not; accept both forms.
				container = ln
			}
		}
		return decodeQueryList(container, v, f.t, joinPath(path, name))
	case kindMap:
		// Accept maps flattened or not, whichever the model says: clients differ.
		mn := parent.kid(name)
		container := mn
		if e := mn.kid("entry"); e != nil && (!f.xflat() || len(mn.kids) == 1) {
			container = e
		}
		return decodeQueryMap(container, v, f.t, f.xkey(), f.xvalue(), joinPath(path, name))
	}
	return decodeQueryValue(parent.kid(name), v, f.t, joinPath(path, name))
}

func decodeQueryValue(n *qnode, v reflect.Value, ti *typeInfo, path string) *Error {
	if n == nil {
		return nil
	}
	switch ti.kind {
	case kindStruct:
		// Allocate even when nothing is inside, so that validation reports the missing
		// members instead of a service meeting a nil item.
		return decodeQueryStruct(n, settable(v, ti), ti.st, path)
	case kindList:
		c := n.kid("member")
		if c == nil {
			c = n
		}
		return decodeQueryList(c, v, ti, path)
	case kindMap:
		c := n.kid("entry")
		if c == nil {
			c = n
		}
		return decodeQueryMap(c, v, ti, "key", "value", path)
	case kindStream, kindInvalid:
		return nil
	}
	if !n.has {
		return nil
	}
	if err := setText(v, ti, n.val, false); err != nil {
		return InvalidParameterValue("Value " + n.val + " for parameter " + path + " is invalid. Reason: must be " + withArticle(strings.ToLower(kindName(ti))) + ".")
	}
	return nil
}

func decodeQueryList(container *qnode, v reflect.Value, ti *typeInfo, path string) *Error {
	items := container.items()
	if len(items) == 0 {
		return nil
	}
	s := reflect.MakeSlice(ti.base, 0, len(items))
	et := ti.base.Elem()
	for i, it := range items {
		e := reflect.New(et).Elem()
		if err := decodeQueryValue(it, e, ti.elem, path+"."+strconv.Itoa(i+1)); err != nil {
			return err
		}
		s = reflect.Append(s, e)
	}
	v.Set(s)
	return nil
}

func decodeQueryMap(container *qnode, v reflect.Value, ti *typeInfo, key, value, path string) *Error {
	entries := container.items()
	if len(entries) == 0 {
		return nil
	}
	m := reflect.MakeMap(ti.base)
	kt, et := ti.base.Key(), ti.base.Elem()
	for _, en := range entries {
		k := en.kid(key)
		if k == nil || !k.has {
			continue
		}
		e := reflect.New(et).Elem()
		if err := decodeQueryValue(en.kid(value), e, ti.elem, path+"."+k.val); err != nil {
			return err
		}
		if ti.elem.kind == kindStruct {
			settable(e, ti.elem)
		}
		m.SetMapIndex(reflect.ValueOf(k.val).Convert(kt), e)
	}
	v.Set(m)
	return nil
}

// EncodeOutput implements Codec: <OpResponse xmlns=...><OpResult>...</OpResult>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></OpResponse>.
func (queryCodec) EncodeOutput(w http.ResponseWriter, req *Request, out any) {
	op := "Operation"
	wrapper := ""
	if req.Op != nil {
		op = req.Op.Name
		wrapper = req.Op.ResultWrapper
	}
	v, si := outputStruct(out)
	if wrapper == "" && si != nil && len(si.fields) > 0 {
		wrapper = op + "Result"
	}
	bp := getBuf()
	b := *bp
	b = append(b, '<')
	b = append(b, op...)
	b = append(b, "Response"...)
	if ns := xmlNamespace(req.Service); ns != "" {
		b = appendXMLNS(b, ns)
	}
	b = append(b, '>')
	if wrapper != "" {
		b = appendStartTag(b, wrapper, "", reflect.Value{}, nil)
		if si != nil {
			b = appendXMLMembers(b, v, si, false)
		}
		b = appendEndTag(b, wrapper)
	}
	b = append(b, "<ResponseMetadata><RequestId>"...)
	b = appendXMLText(b, req.RequestID, false)
	b = append(b, "</RequestId></ResponseMetadata></"...)
	b = append(b, op...)
	b = append(b, "Response>"...)
	w.Header().Set(hdrRequestID, req.RequestID)
	writeBody(w, http.StatusOK, "text/xml", b)
	*bp = b
	putBuf(bp)
}

// EncodeError implements Codec: <ErrorResponse><Error><Type/><Code/><Message/></Error>
// <RequestId/></ErrorResponse>, with the query code of awsQueryCompatible errors.
func (queryCodec) EncodeError(w http.ResponseWriter, req *Request, e *Error) {
	e = orInternal(e)
	bp := getBuf()
	b := *bp
	b = append(b, "<ErrorResponse"...)
	if ns := xmlNamespace(req.Service); ns != "" {
		b = appendXMLNS(b, ns)
	}
	b = append(b, "><Error>"...)
	sqs := isSQS(req.Service)
	if sqs && e.Code == "InvalidAction" {
		e = sqsInvalidAction(e)
	}
	b = appendXMLErrorBody(b, e, e.WireQueryCode(), true)
	if _, ok := e.Fields["Detail"]; sqs && !ok {
		// SQS's query errors carry an empty Detail element after the message.
		b = append(b, "<Detail/>"...)
	}
	b = append(b, "</Error><RequestId>"...)
	b = appendXMLText(b, req.RequestID, false)
	b = append(b, "</RequestId></ErrorResponse>"...)
	h := w.Header()
	h.Set(hdrRequestID, req.RequestID)
	setErrorHeaders(h, e)
	writeBody(w, e.HTTPStatus(), "text/xml", b)
	*bp = b
	putBuf(bp)
}
