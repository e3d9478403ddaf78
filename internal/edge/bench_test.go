package edge

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark measures the edge.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkServeJSON is one signed awsJson call (the shape of SQS SendMessage) through
// the whole edge in off mode: identification, account, body, decode, validate, call,
// encode, metrics.
func BenchmarkServeJSON(b *testing.B) {
	e := New(Config{
		Services: []Service{{Info: newFakeInfo(), API: fakeService{}}},
		Logger:   slog.New(slog.DiscardHandler),
	})
	const body = `{"Name":"Ada"}`
	r, err := http.NewRequest("POST", "http://localhost:4566/", nil)
	if err != nil {
		b.Fatal(err)
	}
	r.RequestURI = "/"
	r.Header.Set("X-Amz-Target", "Fake.Greet")
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/fake/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	r.ContentLength = int64(len(body))
	w := &discardWriter{h: http.Header{}}
	rd := strings.NewReader(body)
	r.Body = io.NopCloser(rd)
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		clear(w.h)
		e.ServeHTTP(w, r)
	}
}

func BenchmarkParseSignature(b *testing.B) {
	r, _ := http.NewRequest("POST", "http://localhost:4566/", nil)
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/fake/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		_ = parseSignature(r)
	}
}
