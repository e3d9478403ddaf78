package protocol

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// restFormat is what rest-json and rest-xml do differently: the body format and the
// error for values that do not fit their member.
type restFormat struct {
	// decodeBody fills structure v from a non-empty body; bodyOnly skips members bound
	// elsewhere (the top level of an input without a payload member).
	decodeBody func(body []byte, v reflect.Value, si *structInfo, bodyOnly bool) *Error
	// invalid is the error for a label, query parameter or header that does not parse.
	invalid func(msg string) *Error
}

// decodeREST fills in from the URI labels, query string, headers and body of req.
func decodeREST(req *Request, in any, rf restFormat) error {
	v, si, err := inputStruct(in)
	if err != nil {
		return err
	}
	if si.hasBinding {
		if e := decodeBindings(req, v, si, rf); e != nil {
			return e
		}
	}
	if f := si.payload; f != nil {
		if e := decodePayload(req.Body, v.Field(f.index), f, rf); e != nil {
			return e
		}
		return nil
	}
	if si.hasBody && len(bytes.TrimSpace(req.Body)) > 0 {
		if e := rf.decodeBody(req.Body, v, si, true); e != nil {
			return e
		}
	}
	return nil
}

// decodePayload fills the payload member from the whole body.
func decodePayload(body []byte, v reflect.Value, f *fieldInfo, rf restFormat) *Error {
	ti := f.t
	switch ti.kind {
	case kindStruct:
		if len(bytes.TrimSpace(body)) == 0 {
			return nil
		}
		return rf.decodeBody(body, settable(v, ti), ti.st, false)
	case kindBlob:
		// The member aliases Request.Body, which belongs to this request alone, so a
		// large upload is not copied.
		if len(body) > 0 {
			settable(v, ti).SetBytes(body)
		}
	case kindString:
		if len(body) > 0 {
			settable(v, ti).SetString(string(body))
		}
	case kindDocument:
		if len(bytes.TrimSpace(body)) > 0 {
			return decodeJSONValue(body, v, ti)
		}
	case kindStream:
		r := io.NopCloser(bytes.NewReader(body))
		if reflect.TypeOf(r).AssignableTo(ti.typ) {
			v.Set(reflect.ValueOf(r))
		}
	}
	return nil
}

func decodeBindings(req *Request, v reflect.Value, si *structInfo, rf restFormat) *Error {
	labels := req.Labels
	if labels == nil {
		labels = labelsFor(req)
	}
	var query url.Values
	var header http.Header
	if req.HTTP != nil {
		header = req.HTTP.Header
		if req.HTTP.URL != nil {
			// A malformed pair is dropped rather than failing the whole request, as
			// net/http's own URL.Query does.
			query, _ = url.ParseQuery(req.HTTP.URL.RawQuery)
		}
	}
	for _, f := range si.fields {
		fv := v.Field(f.index)
		var e *Error
		switch f.loc {
		case locURI:
			if s, ok := labels[f.name]; ok {
				if err := setText(fv, f.t, s, false); err != nil {
					e = rf.invalid("Invalid value for URI label " + f.name + ": " + strconv.Quote(s))
				}
			}
		case locQuery:
			e = decodeQueryBinding(query, fv, f, si, req.Op, rf)
		case locHeader:
			e = decodeHeader(header, fv, f, rf)
		case locHeaders:
			e = decodePrefixHeaders(header, fv, f, si, rf)
		}
		if e != nil {
			return e
		}
	}
	return nil
}

func decodeQueryBinding(query url.Values, v reflect.Value, f *fieldInfo, si *structInfo, op *Operation, rf restFormat) *Error {
	ti := f.t
	switch ti.kind {
	case kindList:
		vals, ok := query[f.name]
		if !ok {
			return nil
		}
		return setTextList(v, ti, vals, f.name, rf)
	case kindMap:
		// A map takes every parameter no other member binds.
		m := reflect.MakeMap(ti.base)
		kt, et := ti.base.Key(), ti.base.Elem()
		for k, vals := range query {
			if boundQuery(si, op, k) || len(vals) == 0 {
				continue
			}
			e := reflect.New(et).Elem()
			if ti.elem.kind == kindList {
				if err := setTextList(e, ti.elem, vals, k, rf); err != nil {
					return err
				}
			} else if err := setText(e, ti.elem, vals[0], false); err != nil {
				return rf.invalid("Invalid value for query parameter " + k + ": " + strconv.Quote(vals[0]))
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(kt), e)
		}
		if m.Len() > 0 {
			v.Set(m)
		}
		return nil
	}
	vals, ok := query[f.name]
	if !ok || len(vals) == 0 {
		return nil
	}
	if err := setText(v, ti, vals[0], false); err != nil {
		return rf.invalid("Invalid value for query parameter " + f.name + ": " + strconv.Quote(vals[0]))
	}
	return nil
}

// boundQuery reports whether query key k is taken by a named member or the template.
func boundQuery(si *structInfo, op *Operation, k string) bool {
	for _, f := range si.fields {
		if f.loc == locQuery && f.t.kind != kindMap && f.name == k {
			return true
		}
	}
	for _, l := range templateQueryKeys(op) {
		if l.key == k {
			return true
		}
	}
	return false
}

func setTextList(v reflect.Value, ti *typeInfo, vals []string, name string, rf restFormat) *Error {
	if !isScalar(ti.elem) {
		return nil
	}
	s := reflect.MakeSlice(ti.base, 0, len(vals))
	et := ti.base.Elem()
	for _, x := range vals {
		e := reflect.New(et).Elem()
		if err := setText(e, ti.elem, x, false); err != nil {
			return rf.invalid("Invalid value for " + name + ": " + strconv.Quote(x))
		}
		s = reflect.Append(s, e)
	}
	v.Set(s)
	return nil
}

func decodeHeader(h http.Header, v reflect.Value, f *fieldInfo, rf restFormat) *Error {
	vals := h.Values(f.name)
	if len(vals) == 0 {
		return nil
	}
	ti := f.t
	if ti.kind == kindList {
		var items []string
		for _, x := range vals {
			items = append(items, splitHeaderList(x, ti.elem.kind == kindTime)...)
		}
		return setTextList(v, ti, items, f.name, rf)
	}
	s := strings.TrimSpace(vals[0])
	if f.jsonValue && ti.kind == kindString {
		p, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return rf.invalid("Header " + f.name + " must be base64-encoded JSON")
		}
		s = string(p)
	}
	if err := setText(v, ti, s, false); err != nil {
		return rf.invalid("Invalid value for header " + f.name + ": " + strconv.Quote(s))
	}
	return nil
}

func decodePrefixHeaders(h http.Header, v reflect.Value, f *fieldInfo, si *structInfo, rf restFormat) *Error {
	ti := f.t
	if ti.kind != kindMap || !isScalar(ti.elem) {
		return nil
	}
	prefix := strings.ToLower(f.name)
	m := reflect.MakeMap(ti.base)
	kt, et := ti.base.Key(), ti.base.Elem()
	for k, vals := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, prefix) || len(vals) == 0 || len(lk) == len(prefix) {
			continue
		}
		if prefix == "" && boundHeader(si, k) {
			continue
		}
		e := reflect.New(et).Elem()
		if err := setText(e, ti.elem, strings.Join(vals, ","), false); err != nil {
			return rf.invalid("Invalid value for header " + k)
		}
		m.SetMapIndex(reflect.ValueOf(lk[len(prefix):]).Convert(kt), e)
	}
	if m.Len() > 0 {
		v.Set(m)
	}
	return nil
}

func boundHeader(si *structInfo, k string) bool {
	for _, f := range si.fields {
		if f.loc == locHeader && strings.EqualFold(f.name, k) {
			return true
		}
	}
	return false
}

// splitHeaderList splits a comma-separated header list, honouring quoted items with
// backslash escapes. HTTP dates carry a comma of their own ("Mon, 16 Dec 2019 ..."), so
// for timestamps every second comma separates.
func splitHeaderList(s string, dates bool) []string {
	var out []string
	if dates {
		parts := strings.Split(s, ",")
		for i := 0; i < len(parts); i++ {
			p := strings.TrimSpace(parts[i])
			if len(p) == 3 && i+1 < len(parts) {
				p += "," + parts[i+1]
				i++
			}
			if p != "" {
				out = append(out, strings.TrimSpace(p))
			}
		}
		return out
	}
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++ // closing quote
			out = append(out, b.String())
			for i < len(s) && s[i] != ',' {
				i++
			}
			i++
			continue
		}
		j := strings.IndexByte(s[i:], ',')
		if j < 0 {
			j = len(s) - i
		}
		out = append(out, strings.TrimSpace(s[i:i+j]))
		i += j + 1
	}
	return out
}

// encodeBindings writes the header members of output v and returns the status: the
// statusCode member, else the operation's modeled code, else 200.
func encodeBindings(h http.Header, v reflect.Value, si *structInfo, op *Operation) int {
	status := http.StatusOK
	if op != nil && op.ResponseCode != 0 {
		status = op.ResponseCode
	}
	if !si.hasBinding {
		return status
	}
	var buf []byte
	for _, f := range si.fields {
		fv := v.Field(f.index)
		if isEmpty(fv) {
			continue
		}
		switch f.loc {
		case locStatus:
			if f.t.kind == kindInt {
				if c := int(deref(fv, f.t).Int()); c >= 100 && c <= 999 {
					status = c
				}
			}
		case locHeader:
			buf = appendHeaderValue(buf[:0], fv, f)
			if len(buf) > 0 || f.t.kind != kindList {
				h.Set(f.name, string(buf))
			}
		case locHeaders:
			if f.t.kind != kindMap || !isScalar(f.t.elem) {
				continue
			}
			for _, k := range sortedKeys(fv) {
				buf = appendText(buf[:0], fv.MapIndex(k), f.t.elem, f.ts, tsHTTP, false)
				// Written in lower case as AWS does, bypassing Go's canonical form: SDKs
				// hand these names to the user (S3 user metadata keys).
				h[strings.ToLower(f.name+k.String())] = []string{string(buf)}
			}
		}
	}
	// A successful answer that carries part of its resource is partial content, as
	// HTTP and S3 (GetObject and HeadObject with a Range) answer it.
	if status == http.StatusOK && h.Get("Content-Range") != "" {
		status = http.StatusPartialContent
	}
	return status
}

// appendHeaderValue writes a header member: scalars as text (timestamps as HTTP dates,
// blobs and JSON values base64), lists comma-separated with strings quoted when they
// hold a comma or a quote.
func appendHeaderValue(b []byte, v reflect.Value, f *fieldInfo) []byte {
	ti := f.t
	switch {
	case ti.kind == kindList:
		if !isScalar(ti.elem) {
			return b
		}
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ", "...)
			}
			e := v.Index(i)
			if ti.elem.kind == kindString {
				s := deref(e, ti.elem).String()
				if strings.ContainsAny(s, `,"`) || s != strings.TrimSpace(s) {
					b = appendQuotedHeaderItem(b, s)
					continue
				}
				b = append(b, s...)
				continue
			}
			b = appendText(b, e, ti.elem, f.ts, tsHTTP, false)
		}
		return b
	case f.jsonValue && ti.kind == kindString:
		return base64.StdEncoding.AppendEncode(b, []byte(deref(v, ti).String()))
	}
	return appendText(b, v, ti, f.ts, tsHTTP, false)
}

// appendQuotedHeaderItem writes s as an HTTP quoted-string: in quotes, with quotes and
// backslashes escaped.
func appendQuotedHeaderItem(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// encodePayload writes an output whose payload member is a blob, string, document or
// stream; it reports false for a structure payload, which the caller writes in its body
// format.
func encodePayload(w http.ResponseWriter, req *Request, status int, v reflect.Value, f *fieldInfo) bool {
	h := w.Header()
	setType := func(ct string) {
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", ct)
		}
	}
	head := req.HTTP != nil && req.HTTP.Method == http.MethodHead
	switch f.t.kind {
	case kindStruct:
		return false
	case kindBlob, kindString, kindDocument:
		var body []byte
		if !isEmpty(v) {
			dv := deref(v, f.t)
			if f.t.kind == kindString {
				body = []byte(dv.String())
			} else {
				body = dv.Bytes()
			}
		}
		switch f.t.kind {
		case kindString:
			setType("text/plain")
		case kindDocument:
			setType("application/json")
		default:
			setType("application/octet-stream")
		}
		if !head {
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(status)
		if len(body) > 0 && !head {
			_, _ = w.Write(body)
		}
	case kindStream:
		setType("application/octet-stream")
		w.WriteHeader(status)
		if isEmpty(v) {
			return true
		}
		r, _ := v.Interface().(io.Reader)
		if r == nil {
			return true
		}
		if !head {
			_, _ = io.Copy(w, r)
		}
		if c, ok := r.(io.Closer); ok {
			_ = c.Close()
		}
	default:
		w.WriteHeader(status)
	}
	return true
}

// writeRESTBody writes an encoded body, leaving a Content-Length set by an output member
// on HEAD responses (S3 HeadObject reports the object's size there).
func writeRESTBody(w http.ResponseWriter, req *Request, status int, ctype string, body []byte) {
	if req.HTTP != nil && req.HTTP.Method == http.MethodHead {
		h := w.Header()
		if ctype != "" && h.Get("Content-Type") == "" {
			h.Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		return
	}
	writeBody(w, status, ctype, body)
}
