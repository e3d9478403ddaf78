package edge

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

// The dispatch tests serve a small awsJson 1.0 service, "fake", through the real codecs.

type greetInput struct {
	Name  *string `name:"Name"`
	Shout *bool   `name:"Shout"`
}

func (in *greetInput) Validate(v *protocol.Validator) {
	v.Required("Name", in.Name != nil)
	v.StrLen("Name", in.Name, 1, 64)
}

type greetOutput struct {
	Greeting *string `name:"Greeting"`
	Account  *string `name:"Account"`
	Region   *string `name:"Region"`
	Endpoint *string `name:"Endpoint"`
	ID       *string `name:"RequestId"`
}

type emptyInput struct{}

// fakeAPI is the fake service's API interface, as the generator would write it.
type fakeAPI interface {
	Greet(ctx context.Context, in *greetInput) (*greetOutput, error)
	Fail(ctx context.Context, in *emptyInput) (*struct{}, error)
	Break(ctx context.Context, in *emptyInput) (*struct{}, error)
	Panic(ctx context.Context, in *emptyInput) (*struct{}, error)
}

type fakeService struct{}

var _ fakeAPI = fakeService{}

func (fakeService) Greet(ctx context.Context, in *greetInput) (*greetOutput, error) {
	c := protocol.CallFrom(ctx)
	g := "Hello, " + *in.Name
	if in.Shout != nil && *in.Shout {
		g = strings.ToUpper(g)
	}
	ep := c.Scheme + "://" + c.Host + c.Path
	return &greetOutput{Greeting: &g, Account: &c.Account, Region: &c.Region, Endpoint: &ep, ID: &c.RequestID}, nil
}

func (fakeService) Fail(context.Context, *emptyInput) (*struct{}, error) {
	return nil, &protocol.Error{Code: "NoSuchGreeting", Message: "The greeting does not exist.", Status: http.StatusNotFound}
}

func (fakeService) Break(context.Context, *emptyInput) (*struct{}, error) {
	return nil, errors.New("disk on fire")
}

func (fakeService) Panic(context.Context, *emptyInput) (*struct{}, error) {
	panic("nil map somewhere")
}

func fakeOp(name string, newIn func() any, call func(ctx context.Context, api fakeAPI, in any) (any, error)) *protocol.Operation {
	return &protocol.Operation{
		Name: name, Method: "POST", RequestURI: "/", NewInput: newIn,
		Call: func(ctx context.Context, api any, in any) (any, error) { return call(ctx, api.(fakeAPI), in) },
	}
}

func newFakeInfo() *protocol.ServiceInfo {
	empty := func() any { return &emptyInput{} }
	info := &protocol.ServiceInfo{
		Package: "fake", ModelName: "fake", FullName: "Fake Service", APIVersion: "2026-01-01",
		Protocol: protocol.JSON, Protocols: []string{protocol.JSON}, JSONVersion: "1.0",
		TargetPrefix: "Fake", SigningName: "fake", EndpointPrefix: "fake",
		Operations: []*protocol.Operation{
			fakeOp("Break", empty, func(ctx context.Context, api fakeAPI, in any) (any, error) {
				return api.Break(ctx, in.(*emptyInput))
			}),
			fakeOp("Fail", empty, func(ctx context.Context, api fakeAPI, in any) (any, error) {
				return api.Fail(ctx, in.(*emptyInput))
			}),
			fakeOp("Greet", func() any { return &greetInput{} }, func(ctx context.Context, api fakeAPI, in any) (any, error) {
				return api.Greet(ctx, in.(*greetInput))
			}),
			fakeOp("Panic", empty, func(ctx context.Context, api fakeAPI, in any) (any, error) {
				return api.Panic(ctx, in.(*emptyInput))
			}),
		},
	}
	// A query path names the greeting, the way SQS query requests name their queue.
	info.PrepareFunc = func(call *protocol.Call, op *protocol.Operation, in any) {
		if g, ok := in.(*greetInput); ok && g.Name == nil && strings.HasPrefix(call.Path, "/names/") {
			name := strings.TrimPrefix(call.Path, "/names/")
			g.Name = &name
		}
	}
	return info
}

// logRecorder keeps the records logged through it.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.records = append(l.records, r.Clone())
	l.mu.Unlock()
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// logged returns the messages logged with the given request id.
func (l *logRecorder) logged(requestID string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "request_id" && a.Value.String() == requestID {
				out = append(out, r.Message)
			}
			return true
		})
	}
	return out
}

type dispatchBundle struct {
	edge *Edge
	srv  *httptest.Server
	logs *logRecorder
}

func setupDispatch(t *testing.T, mutate func(*Config)) *dispatchBundle {
	t.Helper()
	logs := &logRecorder{}
	cfg := Config{
		Services:     []Service{{Info: newFakeInfo(), API: fakeService{}}},
		Logger:       slog.New(logs),
		MaxBodyBytes: 4096,
		Credentials:  map[string]Credential{"AKIDMAPPED": {Secret: "s", Account: "111122223333"}},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	e := New(cfg)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &dispatchBundle{edge: e, srv: srv, logs: logs}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call posts an awsJson request for op with body and extra headers.
func (b *dispatchBundle) call(t *testing.T, path, op string, body io.Reader, hdr map[string]string) response {
	t.Helper()
	r, err := http.NewRequest("POST", b.srv.URL+path, body)
	require.NoError(t, err)
	r.Header.Set("X-Amz-Target", "Fake."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	resp, err := b.srv.Client().Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out.body), string(raw))
	}
	return out
}

// errorCode is the error code of an awsJson error response, without namespace.
func (r response) errorCode() string {
	typ, _ := r.body["__type"].(string)
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:]
	}
	return typ
}

func TestDispatchOutput(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	r := b.call(t, "/", "Greet", strings.NewReader(`{"Name":"Ada","Shout":true}`), map[string]string{
		"Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-3/fake/aws4_request, SignedHeaders=host, Signature=00",
	})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "HELLO, ADA", r.body["Greeting"])
	require.Equal(t, "123456789012", r.body["Account"])
	require.Equal(t, "eu-west-3", r.body["Region"])
	require.Equal(t, b.srv.URL+"/", r.body["Endpoint"])
	id := r.header.Get("X-Amzn-Requestid")
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	require.Equal(t, id, r.body["RequestId"])
}

func TestDispatchCallIdentity(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	tests := []struct {
		name                  string
		hdr                   map[string]string
		wantAccount, wantRegn string
		wantEndpoint          string
	}{
		{name: "unsigned", hdr: nil, wantAccount: "000000000000", wantRegn: "us-east-1", wantEndpoint: b.srv.URL + "/names/x"},
		{name: "configured key", hdr: map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDMAPPED/20260101/ap-south-1/fake/aws4_request, SignedHeaders=host, Signature=00",
		}, wantAccount: "111122223333", wantRegn: "ap-south-1", wantEndpoint: b.srv.URL + "/names/x"},
		{name: "unknown key", hdr: map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-2/fake/aws4_request, SignedHeaders=host, Signature=00",
		}, wantAccount: "000000000000", wantRegn: "us-east-2", wantEndpoint: b.srv.URL + "/names/x"},
		{name: "forwarded by a proxy", hdr: map[string]string{
			"X-Forwarded-Proto": "https", "X-Forwarded-Host": "overcast.example:8443, inner:1",
		}, wantAccount: "000000000000", wantRegn: "us-east-1", wantEndpoint: "https://overcast.example:8443/names/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The name comes from the path through the service's PrepareFunc.
			r := b.call(t, "/names/x", "Greet", strings.NewReader(`{}`), tt.hdr)
			require.Equal(t, http.StatusOK, r.status, r.raw)
			require.Equal(t, "Hello, x", r.body["Greeting"])
			require.Equal(t, tt.wantAccount, r.body["Account"])
			require.Equal(t, tt.wantRegn, r.body["Region"])
			require.Equal(t, tt.wantEndpoint, r.body["Endpoint"])
		})
	}
}

func TestDispatchErrors(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	tests := []struct {
		name       string
		op         string
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string
		wantLogged []string
	}{
		{name: "modeled error", op: "Fail", body: `{}`, wantStatus: 404, wantCode: "NoSuchGreeting", wantMsg: "The greeting does not exist."},
		{name: "validation", op: "Greet", body: `{"Name":""}`, wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{name: "missing required member", op: "Greet", body: `{}`, wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{name: "undecodable body", op: "Greet", body: `{"Name":`, wantStatus: 400, wantCode: "SerializationException"},
		{name: "unknown operation", op: "Wave", body: `{}`, wantStatus: 400, wantCode: "UnknownOperationException"},
		{name: "plain error is an internal failure", op: "Break", body: `{}`, wantStatus: 500, wantCode: "InternalFailure",
			wantLogged: []string{"internal failure"}},
		{name: "panic is an internal failure", op: "Panic", body: `{}`, wantStatus: 500, wantCode: "InternalFailure",
			wantLogged: []string{"panic serving request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := b.call(t, "/", tt.op, strings.NewReader(tt.body), nil)
			require.Equal(t, tt.wantStatus, r.status, r.raw)
			require.Equal(t, tt.wantCode, r.errorCode(), r.raw)
			if tt.wantMsg != "" {
				require.Equal(t, tt.wantMsg, r.body["message"])
			}
			id := r.header.Get("X-Amzn-Requestid")
			require.NotEmpty(t, id)
			if tt.wantLogged == nil {
				require.Empty(t, b.logs.logged(id))
			} else {
				require.Equal(t, tt.wantLogged, b.logs.logged(id))
			}
		})
	}
}

func TestDispatchBodyLimit(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	big := `{"Name":"` + strings.Repeat("a", 5000) + `"}`
	t.Run("with content length", func(t *testing.T) {
		r := b.call(t, "/", "Greet", strings.NewReader(big), nil)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status, r.raw)
		require.Equal(t, "RequestEntityTooLargeException", r.errorCode())
	})
	t.Run("chunked", func(t *testing.T) {
		// A reader of unknown length makes the client send Transfer-Encoding: chunked.
		r := b.call(t, "/", "Greet", io.MultiReader(strings.NewReader(big)), nil)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status, r.raw)
		require.Equal(t, "RequestEntityTooLargeException", r.errorCode())
	})
	t.Run("at the limit", func(t *testing.T) {
		name := strings.Repeat("a", 4096-len(`{"Name":""}`))
		r := b.call(t, "/", "Greet", strings.NewReader(`{"Name":"`+name+`"}`), nil)
		// The edge lets it through; the model's length limit answers.
		require.Equal(t, http.StatusBadRequest, r.status, r.raw)
		require.Equal(t, "ValidationException", r.errorCode())
	})
}

// TestDispatchGzipBody: bodies the SDKs gzip (request compression) are inflated before
// decoding, within the body limit; a body that is not gzip answers SerializationException.
func TestDispatchGzipBody(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	gz := func(s string) io.Reader {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte(s))
		_ = zw.Close()
		return &buf
	}
	hdr := map[string]string{"Content-Encoding": "gzip"}
	r := b.call(t, "/", "Greet", gz(`{"Name":"Ada"}`), hdr)
	require.Equal(t, http.StatusOK, r.status, r.raw)
	require.Equal(t, "Hello, Ada", r.body["Greeting"])

	r = b.call(t, "/", "Greet", strings.NewReader(`{"Name":"Ada"}`), hdr)
	require.Equal(t, http.StatusBadRequest, r.status, r.raw)
	require.Equal(t, "SerializationException", r.errorCode())

	r = b.call(t, "/", "Greet", gz(`{"Name":"`+strings.Repeat("a", 5000)+`"}`), hdr)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status, r.raw)
}

func TestDispatchNotImplemented(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, func(c *Config) { c.Services[0].API = nil })
	r := b.call(t, "/", "Greet", strings.NewReader(`{"Name":"Ada"}`), nil)
	require.Equal(t, http.StatusNotImplemented, r.status, r.raw)
	require.Equal(t, "NotImplemented", r.errorCode())
	require.Equal(t, "The operation Greet of service fake is not implemented by Overcast.", r.body["message"])
}

func TestAdminRoutes(t *testing.T) {
	t.Parallel()
	var extraPath string
	b := setupDispatch(t, func(c *Config) {
		c.Services = append(c.Services, Service{Info: MustModelInfos(t)["glue"]})
		c.Extra = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			extraPath = r.URL.Path
			w.WriteHeader(http.StatusNoContent)
		})
	})
	resp, err := b.srv.Client().Get(b.srv.URL + "/_overcast/health")
	require.NoError(t, err)
	var health struct {
		Status   string            `json:"status"`
		Services map[string]string `json:"services"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&health))
	resp.Body.Close()
	require.Equal(t, "ok", health.Status)
	require.Equal(t, map[string]string{"fake": "running", "glue": "unimplemented"}, health.Services)

	resp, err = b.srv.Client().Post(b.srv.URL+"/_overcast/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Equal(t, "/_overcast/reset", extraPath)
}

// promLine matches a sample line of the Prometheus text format.
var promLine = regexp.MustCompile(`^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)*)\} ([0-9.e+-]+|\+Inf)$`)

func TestMetrics(t *testing.T) {
	t.Parallel()
	b := setupDispatch(t, nil)
	for range 3 {
		require.Equal(t, http.StatusOK, b.call(t, "/", "Greet", strings.NewReader(`{"Name":"Ada"}`), nil).status)
	}
	require.Equal(t, http.StatusNotFound, b.call(t, "/", "Fail", strings.NewReader(`{}`), nil).status)
	require.Equal(t, http.StatusBadRequest, b.call(t, "/", "Nope", strings.NewReader(`{}`), nil).status)

	resp, err := b.srv.Client().Get(b.srv.URL + "/_overcast/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/plain; version=0.0.4; charset=utf-8", resp.Header.Get("Content-Type"))
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	samples := map[string]string{}
	types := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := promLine.FindStringSubmatch(line)
		require.NotNil(t, m, "malformed line %q", line)
		samples[m[1]+"{"+m[2]+"}"] = m[3]
	}
	require.Equal(t, map[string]string{"overcast_requests_total": "counter", "overcast_request_duration_seconds": "histogram"}, types)
	require.Equal(t, "3", samples[`overcast_requests_total{service="fake",operation="Greet",code="200"}`])
	require.Equal(t, "1", samples[`overcast_requests_total{service="fake",operation="Fail",code="404"}`])
	require.Equal(t, "1", samples[`overcast_requests_total{service="fake",operation="unknown",code="400"}`])
	require.Equal(t, "3", samples[`overcast_request_duration_seconds_count{service="fake",operation="Greet"}`])
	require.Equal(t, "3", samples[`overcast_request_duration_seconds_bucket{service="fake",operation="Greet",le="+Inf"}`])
	_, ok := samples[`overcast_request_duration_seconds_sum{service="fake",operation="Greet"}`]
	require.True(t, ok)
	// Operations never called are not listed.
	_, ok = samples[`overcast_requests_total{service="fake",operation="Break",code="200"}`]
	require.False(t, ok)
	// Buckets are cumulative.
	prev := -1.0
	for _, le := range durationBuckets {
		var n float64
		require.NoError(t, json.Unmarshal([]byte(samples[`overcast_request_duration_seconds_bucket{service="fake",operation="Greet",le="`+formatLe(le)+`"}`]), &n))
		require.GreaterOrEqual(t, n, prev)
		prev = n
	}
}

func formatLe(f float64) string {
	b, _ := json.Marshal(f)
	return string(bytes.TrimSuffix(b, []byte(".0")))
}

func TestMeterObserveAllocations(t *testing.T) {
	m := &meter{service: "s", operation: "o"}
	m.observe(200, 0)
	allocs := testing.AllocsPerRun(100, func() { m.observe(200, 1500) })
	require.Zero(t, allocs)
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
		require.False(t, seen[id])
		seen[id] = true
	}
	require.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _ = newRequestID() }))
}
