package edge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
)

// TestHostHandlers routes function URL hosts to their handler and everything else as
// before.
func TestHostHandlers(t *testing.T) {
	t.Parallel()
	urls := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("url:" + r.URL.Path))
	})
	e := New(Config{Services: []Service{{Info: newFakeInfo(), API: fakeService{}}}, HostHandlers: map[string]http.Handler{"lambda-url": urls}})
	tests := []struct {
		host, path string
		routed     bool
	}{
		{"abc123.lambda-url.us-east-1.localhost:4566", "/_overcast/health", true},
		{"ABC123.Lambda-Url.eu-west-1.localhost", "/x", true},
		{"abc123.lambda-url.localhost:4566", "/", true},
		{"abc123.lambda-url.us-west-2.on.aws", "/", true},
		{"lambda-url.us-east-1.localhost:4566", "/", false},
		{"abc123.lambda-url.nowhere.localhost:4566", "/", false},
		{"abc123.lambda-url.us-east-1.example.com", "/", false},
		{"sqs.us-east-1.localhost:4566", "/", false},
		{"localhost:4566", "/", false},
		{"127.0.0.1:4566", "/", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://"+tt.host+tt.path, nil)
			rec := serve(e, r)
			if tt.routed {
				require.Equal(t, "url:"+tt.path, rec.Body.String())
				return
			}
			require.NotContains(t, rec.Body.String(), "url:")
		})
	}
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	signedAt := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clk := clock.NewVirtual(signedAt.Add(time.Minute))
	creds := map[string]Credential{testAccessKey: {Secret: testSecret, Account: "111122223333"}}
	strict := New(Config{Auth: AuthSigV4, Credentials: creds, Clock: clk})
	lax := New(Config{Credentials: creds, Clock: clk})
	newReq := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://abc.lambda-url.us-east-1.localhost:4566/path?q=1", strings.NewReader(body))
		r.ContentLength = int64(len(body))
		return r
	}
	sign := func(r *http.Request, body, service string) {
		require.NoError(t, goSigner(false).SignHTTP(context.Background(), testCreds, r, sha256HexString(body), service, "us-east-1", signedAt))
	}

	r := newReq("hi")
	sign(r, "hi", "lambda")
	id, err := strict.VerifySignature(r, []byte("hi"), "lambda")
	require.NoError(t, err)
	require.Equal(t, Identity{AccessKey: testAccessKey, Account: "111122223333"}, id)

	_, err = strict.VerifySignature(r, []byte("tampered"), "lambda")
	require.Equal(t, "InvalidSignatureException", protocol.AsError(err).Code)

	r = newReq("hi")
	sign(r, "hi", "sqs")
	_, err = strict.VerifySignature(r, []byte("hi"), "lambda")
	require.Equal(t, "IncompleteSignatureException", protocol.AsError(err).Code)

	for _, e := range []*Edge{strict, lax} {
		_, err = e.VerifySignature(newReq(""), nil, "lambda")
		require.Equal(t, "MissingAuthenticationTokenException", protocol.AsError(err).Code)
	}
	// Off mode reads the signer without checking the signature.
	r = newReq("hi")
	sign(r, "hi", "lambda")
	id, err = lax.VerifySignature(r, []byte("tampered"), "lambda")
	require.NoError(t, err)
	require.Equal(t, "111122223333", id.Account)
}

// FuzzHostHandler feeds arbitrary Host headers to the local hostname lookup, which must
// never panic and only ever answer for hosts under a local domain.
func FuzzHostHandler(f *testing.F) {
	for _, s := range []string{"abc.lambda-url.us-east-1.localhost:4566", "lambda-url.localhost", ".lambda-url.localhost", "[::1]:4566", "a.b.c.d.on.aws", "", ":", "A.LAMBDA-URL.LOCALHOST"} {
		f.Add(s)
	}
	e := New(Config{HostHandlers: map[string]http.Handler{"lambda-url": http.NotFoundHandler()}})
	f.Fuzz(func(t *testing.T, host string) {
		if e.hostHandler(host) == nil {
			return
		}
		h := strings.ToLower(host)
		if i := strings.LastIndexByte(h, ':'); i >= 0 {
			h = h[:i]
		}
		if !strings.HasSuffix(h, ".localhost") && !strings.HasSuffix(h, ".on.aws") {
			t.Fatalf("%q routed to a local handler", host)
		}
	})
}
