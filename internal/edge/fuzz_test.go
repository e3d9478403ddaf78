package edge

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/overcast/overcast/internal/clock"
)

var (
	fuzzEdgeOnce sync.Once
	fuzzEdges    [2]*Edge
)

// fuzzEdge returns shared edges serving the test models, in off and sigv4 mode.
func fuzzEdge(tb testing.TB) [2]*Edge {
	fuzzEdgeOnce.Do(func() {
		fuzzEdges[0] = MustModelEdge(tb, Config{})
		fuzzEdges[1] = MustModelEdge(tb, Config{
			Auth:        AuthSigV4,
			Clock:       clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
			Credentials: map[string]Credential{testAccessKey: {Secret: testSecret}},
		})
	})
	return fuzzEdges
}

// FuzzServe feeds arbitrary requests through the whole pipeline: whatever a client sends,
// the edge answers without panicking and without blaming itself.
func FuzzServe(f *testing.F) {
	for _, c := range MustCapturedRequests(f) {
		r := c.httpRequest(f)
		raw, err := base64.StdEncoding.DecodeString(c.Body)
		if err != nil {
			f.Fatal(err)
		}
		body := string(raw)
		f.Add(c.Method, r.RequestURI, r.Host, r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"),
			r.Header.Get("Authorization"), "", body)
	}
	f.Add("POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "localhost", "", "application/cbor", "", "rpc-v2-cbor", "\xa0")
	f.Add("PUT", "/b/k", "b.s3.localhost", "", "", "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=00", "", "x")
	f.Fuzz(func(t *testing.T, method, target, host, amzTarget, contentType, auth, smithyProto, body string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return
		}
		for i, e := range fuzzEdge(t) {
			r := &http.Request{
				Method: method, URL: u, RequestURI: target, Host: host, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{}, Body: http.NoBody, ContentLength: int64(len(body)),
			}
			if body != "" {
				r.Body = httptestBody(body)
			}
			for k, v := range map[string]string{"X-Amz-Target": amzTarget, "Content-Type": contentType, "Authorization": auth, "Smithy-Protocol": smithyProto} {
				if v != "" {
					r.Header.Set(k, v)
				}
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, r.WithContext(t.Context()))
			if rec.Code >= 500 {
				t.Fatalf("edge %d answered %d to %s %s: %s", i, rec.Code, method, target, rec.Body.String())
			}
		}
	})
}

func httptestBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"sqs.us-east-1.localhost:4566", "photos.s3.localhost", "a.b.c.s3-us-west-2.amazonaws.com", "[::1]:80", "x..y.localhost", ".localhost", "s3-.localhost"} {
		f.Add(s)
	}
	prefixes := map[string]bool{"sqs": true, "s3": true, "sns": true}
	f.Fuzz(func(t *testing.T, host string) {
		h := parseHost(host, prefixes)
		if h.prefix != "" && !prefixes[h.prefix] {
			t.Fatalf("prefix %q is not served", h.prefix)
		}
		if h.region != "" && !isRegion(h.region) {
			t.Fatalf("region %q is not a region", h.region)
		}
		if !strings.Contains(strings.ToLower(host), h.sub) {
			t.Fatalf("sub %q is not part of %q", h.sub, host)
		}
	})
}
