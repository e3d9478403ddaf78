package protocol_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/overcast/overcast/internal/protocol"
)

// testEdge stands in for the edge in these tests: it picks the protocol and operation
// of a request the way the edge does, then decodes, validates, calls the API and
// encodes with the codecs under test.
type testEdge struct {
	svc    *protocol.ServiceInfo
	api    any
	router *protocol.Router
	seq    atomic.Int64

	mu    sync.Mutex
	calls []string
}

func startEdge(t *testing.T, svc *protocol.ServiceInfo, api any) *httptest.Server {
	t.Helper()
	e := &testEdge{svc: svc, api: api, router: protocol.NewRouter(svc)}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

func (e *testEdge) protocolOf(r *http.Request) string {
	switch {
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		return protocol.CBOR
	case r.Header.Get("X-Amz-Target") != "":
		return protocol.JSON
	case e.svc.Speaks(protocol.Query) && (strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Has("Action")):
		return protocol.Query
	}
	return e.svc.Protocol
}

func (e *testEdge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	proto := e.protocolOf(r)
	req := &protocol.Request{
		HTTP: r, Body: body, Service: e.svc, Protocol: proto,
		RequestID: "rid-" + strconv.FormatInt(e.seq.Add(1), 10),
	}
	codec := protocol.CodecFor(proto)
	if perr := e.resolve(req); perr != nil {
		codec.EncodeError(w, req, perr)
		return
	}
	e.mu.Lock()
	e.calls = append(e.calls, req.Op.Name)
	e.mu.Unlock()
	in := req.Op.NewInput()
	if err := codec.Decode(req, in); err != nil {
		codec.EncodeError(w, req, protocol.AsError(err))
		return
	}
	if verr := protocol.Validate(e.svc, req.Op, in); verr != nil {
		codec.EncodeError(w, req, verr)
		return
	}
	out, err := req.Op.Call(r.Context(), e.api, in)
	if err != nil {
		codec.EncodeError(w, req, protocol.AsError(err))
		return
	}
	codec.EncodeOutput(w, req, out)
}

func (e *testEdge) resolve(req *protocol.Request) *protocol.Error {
	r := req.HTTP
	var name string
	switch req.Protocol {
	case protocol.JSON:
		_, name, _ = strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	case protocol.CBOR:
		_, name, _ = protocol.RPCv2Path(r.URL.Path)
	case protocol.Query:
		params, perr := protocol.QueryParams(req)
		if perr != nil {
			return perr
		}
		name = params.Get("Action")
		if e.svc.Find(name) == nil {
			return protocol.InvalidAction(name)
		}
	default:
		op, labels, ok := e.router.MatchRequest(r)
		if !ok {
			return protocol.UnknownOperation("no route for " + r.Method + " " + r.URL.Path)
		}
		req.Op, req.Labels = op, labels
		return nil
	}
	req.Op = e.svc.Find(name)
	if req.Op == nil {
		return protocol.UnknownOperation("unknown operation " + name)
	}
	return nil
}

// staticCreds are the credentials every test client signs with.
var staticCreds = credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "secret", "")

func ptr[T any](v T) *T { return &v }

// postForm sends a hand-built query-protocol request and returns the status and body.
func postForm(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
