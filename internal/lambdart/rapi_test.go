package lambdart

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeRuntime plays the runtime of an environment whose process only sleeps: the test
// talks to the Runtime API itself.
type fakeRuntime struct {
	t       *testing.T
	b       *testBundle
	fn      *Function
	addr    string
	results chan *InvokeResult
}

func startFakeRuntime(t *testing.T, name string) *fakeRuntime {
	t.Helper()
	b := setup(t)
	fn := b.function(t, name, "provided.al2023", "fake", mustZipDir(t, "", map[string]fileSpec{
		"bootstrap": {data: "#!/bin/sh\nexec sleep 600\n", mode: 0o755},
	}))
	fr := &fakeRuntime{t: t, b: b, fn: fn, results: make(chan *InvokeResult, 4)}
	fr.invoke(`{"n":1}`)
	require.Eventually(t, func() bool {
		b.m.mu.Lock()
		defer b.m.mu.Unlock()
		for e := range b.m.envs {
			if e.fn.Name == name {
				fr.addr = e.addr
				return true
			}
		}
		return false
	}, 10*time.Second, 5*time.Millisecond)
	return fr
}

func (fr *fakeRuntime) invoke(payload string) {
	go func() {
		res, err := fr.b.m.Invoke(context.Background(), fr.fn, &InvokeRequest{Payload: []byte(payload), ClientContext: `{"custom":{"a":"b"}}`})
		if err != nil {
			res = &InvokeResult{FunctionError: "test: " + err.Error()}
		}
		fr.results <- res
	}()
}

type apiReply struct {
	status int
	header http.Header
	body   []byte
}

func (r apiReply) errorType() string {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(r.body, &doc)
	return doc.ErrorType
}

func (r apiReply) errorMessage() string {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	_ = json.Unmarshal(r.body, &doc)
	return doc.ErrorMessage
}

func (fr *fakeRuntime) call(ctx context.Context, method, path string, body io.Reader, header map[string]string) apiReply {
	fr.t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+fr.addr+path, body)
	require.NoError(fr.t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fr.t.Logf("%s %s: %v", method, path, err)
		return apiReply{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(fr.t, err)
	return apiReply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (fr *fakeRuntime) do(method, path, body string, header map[string]string) apiReply {
	fr.t.Helper()
	return fr.call(context.Background(), method, path, strings.NewReader(body), header)
}

// next asks for the next event; it returns when one arrives.
func (fr *fakeRuntime) next() apiReply {
	fr.t.Helper()
	return fr.do(http.MethodGet, nextPath, "", nil)
}

// parkNext asks for the next event in the background, which ends the current invocation.
func (fr *fakeRuntime) parkNext() chan apiReply {
	ch := make(chan apiReply, 1)
	go func() { ch <- fr.call(context.Background(), http.MethodGet, nextPath, nil, nil) }()
	return ch
}

func (fr *fakeRuntime) result() *InvokeResult {
	fr.t.Helper()
	select {
	case r := <-fr.results:
		return r
	case <-time.After(20 * time.Second):
		fr.t.Fatal("invocation did not finish")
		return nil
	}
}

func TestRuntimeAPI(t *testing.T) {
	t.Parallel()
	fr := startFakeRuntime(t, "fake-rapi")

	r := fr.do(http.MethodPost, invocationPath+"x/response", "{}", nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "InvalidStateTransition", r.errorType())
	require.Equal(t, "State transition from Started to InvocationResponse failed for runtime. Error: State transition is not allowed", r.errorMessage())

	ev := fr.next()
	require.Equal(t, http.StatusOK, ev.status)
	require.Equal(t, `{"n":1}`, string(ev.body))
	id := ev.header.Get("Lambda-Runtime-Aws-Request-Id")
	require.True(t, isUUID(id), id)
	deadline, err := strconv.ParseInt(ev.header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, time.Now().Add(10*time.Second).UnixMilli(), deadline, 2000)
	require.Equal(t, fr.fn.ARN, ev.header.Get("Lambda-Runtime-Invoked-Function-Arn"))
	require.Contains(t, ev.header.Get("Lambda-Runtime-Trace-Id"), "Root=1-")
	require.Equal(t, `{"custom":{"a":"b"}}`, ev.header.Get("Lambda-Runtime-Client-Context"))
	require.Empty(t, ev.header.Get("Lambda-Runtime-Cognito-Identity"))
	require.Equal(t, "application/json", ev.header.Get("Content-Type"))

	// Misuse while the runtime holds an event.
	r = fr.next()
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "State transition from Running to Ready failed for runtime. Error: State transition is not allowed", r.errorMessage())
	r = fr.do(http.MethodPost, initErrorPath, "{}", nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "InvalidStateTransition", r.errorType())
	r = fr.do(http.MethodPost, invocationPath+"not-the-id/response", "{}", nil)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidRequestID", r.errorType())
	require.Equal(t, "Invalid request ID", r.errorMessage())
	r = fr.do(http.MethodPost, invocationPath+id+"/response", "{}", map[string]string{"Lambda-Runtime-Function-Response-Mode": "bogus"})
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidFunctionResponseMode", r.errorType())
	require.Equal(t, http.StatusNotFound, fr.do(http.MethodGet, "/2018-06-01/runtime/nope", "", nil).status)
	require.Equal(t, http.StatusNotFound, fr.do(http.MethodPost, invocationPath+id+"/other", "", nil).status)
	require.Equal(t, http.StatusMethodNotAllowed, fr.do(http.MethodPost, nextPath, "", nil).status)
	require.Equal(t, http.StatusMethodNotAllowed, fr.do(http.MethodGet, invocationPath+id+"/response", "", nil).status)

	r = fr.do(http.MethodPost, invocationPath+id+"/response", `{"ok":true}`, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusAccepted, r.status)
	require.JSONEq(t, `{"status":"OK"}`, string(r.body))
	r = fr.do(http.MethodPost, invocationPath+id+"/response", `{}`, nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "State transition from ResponseSent to InvocationResponse failed for runtime. Error: State transition is not allowed", r.errorMessage())

	parked := fr.parkNext()
	res := fr.result()
	require.Empty(t, res.FunctionError)
	require.Equal(t, id, res.RequestID)
	require.Equal(t, `{"ok":true}`, string(res.Payload))
	require.True(t, res.Cold)

	// An error response: the header names the type, the body is passed on.
	fr.invoke(`{"n":2}`)
	ev = <-parked
	id = ev.header.Get("Lambda-Runtime-Aws-Request-Id")
	r = fr.do(http.MethodPost, invocationPath+id+"/error", `{"errorMessage":"bad","errorType":"MyError"}`,
		map[string]string{"Lambda-Runtime-Function-Error-Type": "MyError"})
	require.Equal(t, http.StatusAccepted, r.status)
	parked = fr.parkNext()
	res = fr.result()
	require.Equal(t, "Unhandled", res.FunctionError)
	require.Equal(t, "MyError", res.ErrorType)
	require.JSONEq(t, `{"errorMessage":"bad","errorType":"MyError"}`, string(res.Payload))
	require.False(t, res.Cold)

	// A response over 6 MB is refused with 413 and fails the invocation.
	fr.invoke(`{"n":3}`)
	ev = <-parked
	id = ev.header.Get("Lambda-Runtime-Aws-Request-Id")
	r = fr.do(http.MethodPost, invocationPath+id+"/response", strings.Repeat("x", MaxResponseSize+1), nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Equal(t, "RequestEntityTooLarge", r.errorType())
	require.Equal(t, "Exceeded maximum allowed payload size (6291556 bytes).", r.errorMessage())
	parked = fr.parkNext()
	res = fr.result()
	require.Equal(t, "Function.ResponseSizeTooLarge", res.ErrorType)

	// A streamed response that fails mid-way reports the error in trailers.
	fr.invoke(`{"n":4}`)
	ev = <-parked
	id = ev.header.Get("Lambda-Runtime-Aws-Request-Id")
	errBody := `{"errorMessage":"broke mid-stream","errorType":"StreamError"}`
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, "http://"+fr.addr+invocationPath+id+"/response", pr)
	require.NoError(t, err)
	req.Header.Set("Lambda-Runtime-Function-Response-Mode", "streaming")
	req.Trailer = http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
	go func() {
		_, _ = pw.Write([]byte("partial"))
		req.Trailer.Set("Lambda-Runtime-Function-Error-Type", "StreamError")
		req.Trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString([]byte(errBody)))
		pw.Close()
	}()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	fr.parkNext()
	res = fr.result()
	require.Equal(t, "StreamError", res.ErrorType)
	require.JSONEq(t, errBody, string(res.Payload))
}

func TestExtensionsAPI(t *testing.T) {
	t.Parallel()
	fr := startFakeRuntime(t, "fake-ext")

	r := fr.do(http.MethodPost, extRegisterPath, `{"events":["INVOKE"]}`, nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Extension.InvalidExtensionName", r.errorType())
	r = fr.do(http.MethodPost, extRegisterPath, `not json`, map[string]string{"Lambda-Extension-Name": "x"})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "InvalidRequestFormat", r.errorType())
	r = fr.do(http.MethodPost, extRegisterPath, `{"events":["INVOKE","SHUTDOWN"]}`, map[string]string{"Lambda-Extension-Name": "internal"})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Extension.InvalidEventType", r.errorType(), "internal extensions cannot subscribe to SHUTDOWN")
	r = fr.do(http.MethodPost, extRegisterPath, `{"events":["BOGUS"]}`, map[string]string{"Lambda-Extension-Name": "internal"})
	require.Equal(t, "Extension.InvalidEventType", r.errorType())

	r = fr.do(http.MethodPost, extRegisterPath, `{"events":["INVOKE"]}`, map[string]string{"Lambda-Extension-Name": "internal", "Lambda-Extension-Accept-Feature": "accountId"})
	require.Equal(t, http.StatusOK, r.status)
	extID := r.header.Get("Lambda-Extension-Identifier")
	require.True(t, isUUID(extID))
	require.JSONEq(t, `{"functionName":"fake-ext","functionVersion":"$LATEST","handler":"fake","accountId":"000000000000"}`, string(r.body))
	r = fr.do(http.MethodPost, extRegisterPath, `{"events":["INVOKE"]}`, map[string]string{"Lambda-Extension-Name": "internal"})
	require.Equal(t, "Extension.InvalidExtensionState", r.errorType())

	r = fr.do(http.MethodGet, extNextPath, "", nil)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "Extension.MissingExtensionIdentifier", r.errorType())
	r = fr.do(http.MethodGet, extNextPath, "", map[string]string{"Lambda-Extension-Identifier": "nope"})
	require.Equal(t, "Extension.InvalidExtensionIdentifier", r.errorType())
	r = fr.do(http.MethodGet, extNextPath, "", map[string]string{"Lambda-Extension-Identifier": newUUID()})
	require.Equal(t, "Extension.UnknownExtensionIdentifier", r.errorType())
	r = fr.do(http.MethodPost, extInitErrPath, "", map[string]string{"Lambda-Extension-Identifier": extID})
	require.Equal(t, "Extension.MissingHeader", r.errorType())

	// Init completes once both the extension and the runtime ask for their next event.
	extNext := make(chan apiReply, 1)
	go func() {
		extNext <- fr.do(http.MethodGet, extNextPath, "", map[string]string{"Lambda-Extension-Identifier": extID})
	}()
	ev := fr.next()
	id := ev.header.Get("Lambda-Runtime-Aws-Request-Id")
	x := <-extNext
	require.Equal(t, http.StatusOK, x.status)
	require.True(t, isUUID(x.header.Get("Lambda-Extension-Event-Identifier")))
	var invokeEvent struct {
		EventType          string `json:"eventType"`
		DeadlineMs         int64  `json:"deadlineMs"`
		RequestID          string `json:"requestId"`
		InvokedFunctionArn string `json:"invokedFunctionArn"`
		Tracing            struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"tracing"`
	}
	require.NoError(t, json.Unmarshal(x.body, &invokeEvent))
	require.Equal(t, "INVOKE", invokeEvent.EventType)
	require.Equal(t, id, invokeEvent.RequestID)
	require.Equal(t, fr.fn.ARN, invokeEvent.InvokedFunctionArn)
	require.Equal(t, "X-Amzn-Trace-Id", invokeEvent.Tracing.Type)
	require.Equal(t, ev.header.Get("Lambda-Runtime-Trace-Id"), invokeEvent.Tracing.Value)
	require.Positive(t, invokeEvent.DeadlineMs)

	// Registration is closed once init is over.
	r = fr.do(http.MethodPost, extRegisterPath, `{"events":[]}`, map[string]string{"Lambda-Extension-Name": "late"})
	require.Equal(t, "Extension.RegistrationClosed", r.errorType())

	require.Equal(t, http.StatusAccepted, fr.do(http.MethodPost, invocationPath+id+"/response", `"done"`, nil).status)
	fr.parkNext()
	// The caller has its answer while the extension still works.
	res := fr.result()
	require.Equal(t, `"done"`, string(res.Payload))
	require.Never(t, func() bool { return containsLine(fr.b.sink.lines("/aws/lambda/fake-ext"), "REPORT") }, 100*time.Millisecond, 10*time.Millisecond)
	go fr.do(http.MethodGet, extNextPath, "", map[string]string{"Lambda-Extension-Identifier": extID})
	require.Eventually(t, func() bool {
		return containsLine(fr.b.sink.lines("/aws/lambda/fake-ext"), "REPORT RequestId: "+id)
	}, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return fr.b.m.Environments(fr.fn.FunctionKey).Idle == 1 }, 10*time.Second, 5*time.Millisecond)
}

// newFuzzEnv builds an environment with no process behind it, its events drained, for
// driving ServeHTTP directly.
func newFuzzEnv() *env {
	e := &env{
		fn:       &Function{FunctionKey: FunctionKey{AccountID: "000000000000", Name: "fuzz"}, Handler: "h"},
		events:   make(chan envEvent, 16),
		nextCh:   make(chan *invocation, 1),
		gone:     make(chan struct{}),
		exts:     map[string]*extension{},
		extNames: map[string]*extension{},
		regOpen:  true,
	}
	go func() {
		for {
			select {
			case <-e.events:
			case <-e.gone:
				return
			}
		}
	}()
	return e
}

func FuzzRuntimeAPI(f *testing.F) {
	f.Add(uint8(0), "GET", nextPath, "", "", "")
	f.Add(uint8(1), "POST", invocationPath+"id-1/response", "Lambda-Runtime-Function-Response-Mode", "streaming", `{"a":1}`)
	f.Add(uint8(1), "POST", invocationPath+"id-1/error", "Lambda-Runtime-Function-Error-Type", "E", `{"errorType":"E"}`)
	f.Add(uint8(0), "POST", initErrorPath, "Lambda-Runtime-Function-Error-Type", "Runtime.X", `{}`)
	f.Add(uint8(0), "POST", extRegisterPath, "Lambda-Extension-Name", "ext", `{"events":["INVOKE","SHUTDOWN"]}`)
	f.Add(uint8(2), "GET", extNextPath, "Lambda-Extension-Identifier", "00000000-0000-4000-8000-000000000000", "")
	f.Add(uint8(3), "POST", extExitErrPath, "Lambda-Extension-Function-Error-Type", "Extension.X", "")
	f.Add(uint8(4), "PUT", "/../../etc", "", "", "\x00\xff")
	f.Fuzz(func(t *testing.T, state uint8, method, target, hk, hv, body string) {
		e := newFuzzEnv()
		defer close(e.gone)
		e.rtState = runtimeState(int(state) % 6)
		if e.rtState == rtRunning {
			e.cur = &invocation{id: "id-1", req: &InvokeRequest{}}
		}
		x := &extension{id: "00000000-0000-4000-8000-000000000000", name: "ext", queue: make(chan []byte, 4), state: extState(int(state) % 5)}
		e.exts[x.id], e.extNames[x.name] = x, x
		e.regOpen = state%2 == 0

		req, err := http.NewRequest(method, "http://127.0.0.1"+target, strings.NewReader(body))
		if err != nil || req.URL == nil {
			return
		}
		if hk != "" && !strings.ContainsAny(hk, "\r\n:\x00 ") && !strings.ContainsAny(hv, "\r\n\x00") {
			req.Header.Set(hk, hv)
		}
		// Waits (next) end at once: the runtime hung up.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req = req.WithContext(ctx)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		// Misuse is a 4xx with the API's error document; nothing is a 5xx.
		require.Less(t, w.Code, 500, "status %d for %s %s", w.Code, method, target)
		if w.Code >= 400 && w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
			var doc struct {
				ErrorType string `json:"errorType"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc), "body %q", w.Body.String())
			require.NotEmpty(t, doc.ErrorType)
		}
	})
}

// FuzzRuntimeAPIWire sends raw bytes, in two pieces, to a live Runtime API listener.
func FuzzRuntimeAPIWire(f *testing.F) {
	f.Add([]byte("GET "+nextPath+" HTTP/1.1\r\nHost: x\r\n\r\n"), 10)
	f.Add([]byte("POST "+invocationPath+"abc/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nLambda-Runtime-Function-Error-Type: X\r\n\r\n"), 40)
	f.Add([]byte("POST "+extRegisterPath+" HTTP/1.1\r\nHost: x\r\nLambda-Extension-Name: e\r\nContent-Length: 12\r\n\r\n{\"events\":[]"), 5)
	f.Add([]byte("\x16\x03\x01garbage"), 3)
	e := newFuzzEnv()
	// A runtime holding an event that is not there: no request can block on the API.
	e.rtState = rtRunning
	f.Cleanup(func() { close(e.gone) })
	srv := httptest.NewServer(e)
	f.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	f.Fuzz(func(t *testing.T, raw []byte, split int) {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		if split < 0 || split > len(raw) {
			split = len(raw) / 2
		}
		_, _ = c.Write(raw[:split])
		_, _ = c.Write(raw[split:])
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return // the server waits for more, or closed the connection
		}
		resp.Body.Close()
		// net/http itself answers an unknown HTTP version with 505 and a transfer coding it
		// does not implement with 501, before any handler runs; everything else that is
		// wrong is the client's fault.
		if resp.StatusCode != http.StatusHTTPVersionNotSupported && resp.StatusCode != http.StatusNotImplemented {
			require.Less(t, resp.StatusCode, 500)
		}
	})
}
