package protocol

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// goldenRequests returns the raw requests of testdata/<dir>/*.txtar, the fuzz seeds.
func goldenRequests(tb testing.TB, dir string) []*http.Request {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	var out []*http.Request
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		ar := parseTxtar(data)
		head, body, _ := strings.Cut(ar.file("request"), "\n\n")
		hr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head + "\r\n\r\n")))
		if err != nil {
			tb.Fatal(err)
		}
		b := []byte(strings.TrimSuffix(body, "\n"))
		if hx, ok := ar.files["request.hex"]; ok {
			b, _ = hex.DecodeString(strings.Join(strings.Fields(hx), ""))
		}
		hr.Body = io.NopCloser(strings.NewReader(string(b)))
		out = append(out, hr)
	}
	return out
}

func requestBody(hr *http.Request) []byte {
	b, _ := io.ReadAll(hr.Body)
	return b
}

// checkDecodeError fails unless err is nil or an *Error a client can be answered with.
func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Decode returned %T (%v), want *protocol.Error", err, err)
	}
	if e.HTTPStatus() >= 500 {
		t.Fatalf("Decode answered a client's bytes with %d: %v", e.HTTPStatus(), e)
	}
}

// checkNoNilItems fails when a decoded list or map holds a nil structure: services
// index into decoded inputs without checking each item.
func checkNoNilItems(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			checkNoNilItems(t, v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				checkNoNilItems(t, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Map:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		items := []reflect.Value{}
		if v.Kind() == reflect.Slice {
			for i := 0; i < v.Len(); i++ {
				items = append(items, v.Index(i))
			}
		} else {
			for _, k := range v.MapKeys() {
				items = append(items, v.MapIndex(k))
			}
		}
		for _, it := range items {
			if it.Kind() == reflect.Pointer && it.IsNil() {
				t.Fatalf("decoded a nil item into %s", v.Type())
			}
			checkNoNilItems(t, it)
		}
	}
}

// fuzzInputs are realistic input types for the body decoders.
func fuzzInputs() []func() any {
	return []func() any{
		func() any { return new(sink) },
		func() any { return new(sqsSendMessageInput) },
		func() any { return new(sqsReceiveOutput) },
		func() any { return new(queryLists) },
		func() any { return new(failInput) },
	}
}

func FuzzJSONDecode(f *testing.F) {
	for _, hr := range goldenRequests(f, "json") {
		f.Add(requestBody(hr))
	}
	f.Add([]byte(`{"Map":{"a":{"b":1}},"Timestamp":"1e400","Long":-9223372036854775809}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newIn := range fuzzInputs() {
			req := &Request{Body: body, Service: testJSON11, RequestID: "r"}
			in := newIn()
			err := awsJSONCodec{}.Decode(req, in)
			checkDecodeError(t, err)
			if err != nil {
				continue
			}
			checkNoNilItems(t, reflect.ValueOf(in))
			rec := httptest.NewRecorder()
			awsJSONCodec{}.EncodeOutput(rec, req, in)
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("encoding what was decoded gave invalid JSON: %q", rec.Body.Bytes())
			}
		}
	})
}

func FuzzQueryDecode(f *testing.F) {
	for _, hr := range goldenRequests(f, "query") {
		f.Add(string(requestBody(hr)), hr.URL.RawQuery)
	}
	f.Add("Names.member.99999999999999999999=x&Renamed.entry.1.V.Child.Child.Name=..&.=&..=", "")
	f.Fuzz(func(t *testing.T, body, rawQuery string) {
		hr := &http.Request{Method: "POST", URL: &url.URL{Path: "/", RawQuery: rawQuery}, Header: http.Header{}}
		for _, newIn := range fuzzInputs() {
			req := &Request{HTTP: hr, Body: []byte(body), Service: testQuery, Op: &Operation{Name: "Fuzz"}, RequestID: "r"}
			in := newIn()
			err := queryCodec{}.Decode(req, in)
			checkDecodeError(t, err)
			if err != nil {
				continue
			}
			checkNoNilItems(t, reflect.ValueOf(in))
			rec := httptest.NewRecorder()
			queryCodec{}.EncodeOutput(rec, req, in)
			checkXML(t, rec.Body.Bytes())
		}
	})
}

// checkXML fails unless p is a well-formed document.
func checkXML(t *testing.T, p []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(p)))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("encoder wrote malformed XML (%v): %q", err, p)
		}
	}
}

// fuzzHTTP builds a request from fuzzed parts: header lines "K: V" separated by
// newlines.
func fuzzHTTP(method, rawPath, rawQuery, headers string) *http.Request {
	h := http.Header{}
	for _, line := range strings.Split(headers, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k != "" {
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	u := &url.URL{Path: rawPath, RawPath: rawPath, RawQuery: rawQuery}
	if p, err := url.PathUnescape(rawPath); err == nil {
		u.Path = p
	}
	return &http.Request{Method: method, URL: u, Header: h}
}

func headerLines(h http.Header) string {
	var b strings.Builder
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\n")
		}
	}
	return b.String()
}

// fuzzREST decodes a fuzzed request with codec after routing it over svc, then encodes
// what came out as the output.
func fuzzREST(t *testing.T, svc *ServiceInfo, codec Codec, method, rawPath, rawQuery, headers string, body []byte) {
	hr := fuzzHTTP(method, rawPath, rawQuery, headers)
	op, labels, ok := NewRouter(svc).MatchRequest(hr)
	if !ok {
		return
	}
	req := &Request{HTTP: hr, Body: body, Service: svc, Op: op, Labels: labels, RequestID: "r"}
	in := op.NewInput()
	err := codec.Decode(req, in)
	checkDecodeError(t, err)
	if err != nil {
		return
	}
	checkNoNilItems(t, reflect.ValueOf(in))
	rec := httptest.NewRecorder()
	codec.EncodeOutput(rec, req, in)
}

func FuzzRestJSONDecode(f *testing.F) {
	for _, hr := range goldenRequests(f, "restjson") {
		f.Add(hr.Method, hr.URL.EscapedPath(), hr.URL.RawQuery, headerLines(hr.Header), requestBody(hr))
	}
	f.Fuzz(func(t *testing.T, method, rawPath, rawQuery, headers string, body []byte) {
		fuzzREST(t, testRestJSON, restJSONCodec{}, method, rawPath, rawQuery, headers, body)
	})
}

func FuzzRestXMLDecode(f *testing.F) {
	for _, hr := range goldenRequests(f, "restxml") {
		f.Add(hr.Method, hr.URL.EscapedPath(), hr.URL.RawQuery, headerLines(hr.Header), requestBody(hr))
	}
	f.Fuzz(func(t *testing.T, method, rawPath, rawQuery, headers string, body []byte) {
		fuzzREST(t, testRestXMLS3, restXMLCodec{}, method, rawPath, rawQuery, headers, body)
		// The same bytes as a structure payload and as a top-level body.
		for _, newIn := range []func() any{func() any { return new(putACLInput) }, func() any { return new(getTaggingOutput) }} {
			req := &Request{Body: body, Service: testRestXMLS3, RequestID: "r"}
			in := newIn()
			err := restXMLCodec{}.Decode(req, in)
			checkDecodeError(t, err)
			if err == nil {
				checkNoNilItems(t, reflect.ValueOf(in))
				rec := httptest.NewRecorder()
				restXMLCodec{}.EncodeOutput(rec, req, in)
				if rec.Body.Len() > 0 {
					checkXML(t, rec.Body.Bytes())
				}
			}
		}
	})
}

func FuzzCBORDecode(f *testing.F) {
	for _, hr := range goldenRequests(f, "cbor") {
		f.Add(requestBody(hr))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newIn := range fuzzInputs() {
			req := &Request{Body: body, Service: testCBOR, RequestID: "r"}
			in := newIn()
			err := cborCodec{}.Decode(req, in)
			checkDecodeError(t, err)
			if err != nil {
				continue
			}
			checkNoNilItems(t, reflect.ValueOf(in))
			rec := httptest.NewRecorder()
			cborCodec{}.EncodeOutput(rec, req, in)
			if err := cbor.Wellformed(rec.Body.Bytes()); err != nil {
				t.Fatalf("encoder wrote malformed CBOR (%v): %x", err, rec.Body.Bytes())
			}
		}
	})
}

func FuzzRouter(f *testing.F) {
	models := restModels(f)
	var names []string
	for name := range models {
		names = append(names, name)
	}
	for _, name := range names {
		for i, op := range models[name].Operations {
			if i%7 != 0 {
				continue
			}
			method, path, query, _ := exampleRequest(op)
			f.Add(name, method, path, query.Encode())
		}
	}
	routers := map[string]*Router{}
	for name, svc := range models {
		routers[name] = NewRouter(svc)
	}
	f.Fuzz(func(t *testing.T, model, method, rawPath, rawQuery string) {
		r := routers[model]
		if r == nil {
			return
		}
		q, _ := url.ParseQuery(rawQuery)
		op, labels, ok := r.Match(method, rawPath, q)
		if !ok {
			return
		}
		if op.Method != method {
			t.Fatalf("%s %s matched %s %s", method, rawPath, op.Method, op.RequestURI)
		}
		for k, v := range labels {
			if v == "" {
				t.Fatalf("empty label %s for %s", k, rawPath)
			}
		}
	})
}
