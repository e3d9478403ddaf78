package lambdart

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNodeRuntime(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "nodejs20.x")
	b := setup(t)
	cjs := mustZipDir(t, "testdata/node/cjs", nil)
	fn := func(name, handler string, mods ...func(*Function)) *Function {
		return b.function(t, name, "nodejs20.x", handler, cjs, mods...)
	}

	t.Run("AsyncHandler", func(t *testing.T) {
		t.Parallel()
		var out map[string]string
		mustSucceed(t, b.m, fn("node-hello", "index.hello"), `{"name":"overcast"}`, &out)
		require.Equal(t, map[string]string{"hello": "overcast"}, out)
	})

	t.Run("CallbackHandler", func(t *testing.T) {
		t.Parallel()
		var out map[string]string
		mustSucceed(t, b.m, fn("node-callback", "index.callback"), `{"name":"cb"}`, &out)
		require.Equal(t, map[string]string{"via": "callback", "name": "cb"}, out)
	})

	t.Run("ESModule", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "node-esm", "nodejs22.x", "index.handler", mustZipDir(t, "testdata/node/esm", nil))
		var out map[string]any
		mustSucceed(t, b.m, f, `{"name":"m"}`, &out)
		require.Equal(t, map[string]any{"esm": true, "count": float64(1), "file": "index.mjs", "name": "m"}, out)
		mustSucceed(t, b.m, f, `{"name":"m"}`, &out)
		require.Equal(t, float64(2), out["count"], "module state survives between invocations")
	})

	t.Run("TypeModulePackage", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "node-typemodule", "nodejs18.x", "app.handler", mustZipDir(t, "testdata/node/typemodule", nil))
		var out map[string]any
		mustSucceed(t, b.m, f, `{"a":1}`, &out)
		require.Equal(t, true, out["typeModule"])
	})

	t.Run("NestedPath", func(t *testing.T) {
		t.Parallel()
		var out map[string]any
		mustSucceed(t, b.m, fn("node-nested-path", "dir/sub/file.handler"), `{"x":1}`, &out)
		require.Equal(t, "dir/sub/file", out["nested"])
		var s string
		mustSucceed(t, b.m, fn("node-nested-prop", "index.nested.deeper.handler"), `{}`, &s)
		require.Equal(t, "nested property", s)
	})

	t.Run("HandlerError", func(t *testing.T) {
		t.Parallel()
		res := mustInvoke(t, b.m, fn("node-fail", "index.fail"), `{"why":"because"}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "CustomError", doc.ErrorType)
		require.Equal(t, "boom: because", doc.ErrorMessage)
		require.NotEmpty(t, doc.Trace)
		require.Equal(t, "CustomError: boom: because", doc.Trace[0])
		require.True(t, strings.HasPrefix(doc.Trace[1], "    at "), "stack lines: %q", doc.Trace)
		require.Regexp(t, `Z\t`+res.RequestID+`\tERROR\tInvoke Error \t\{"errorType":"CustomError","errorMessage":"boom: because","name":"CustomError","stack":\["CustomError: boom: because",`, string(res.LogTail))

		res = mustInvoke(t, b.m, fn("node-fail-cb", "index.failCallback"), `{}`)
		doc = mustFunctionError(t, res)
		require.Equal(t, "Error", doc.ErrorType)
		require.Equal(t, "callback failure", doc.ErrorMessage)
	})

	initErrors := []struct {
		name, handler, errType, message string
	}{
		{"ImportModuleError", "missing.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'missing'"},
		{"HandlerNotFound", "index.nothing", "Runtime.HandlerNotFound", "index.nothing is undefined or not exported"},
		{"NotAFunction", "index.notAFunction", "Runtime.HandlerNotFound", "index.notAFunction is not a function"},
		{"MalformedHandlerName", "nodots", "Runtime.MalformedHandlerName", "Bad handler"},
		{"RelativePath", "../x.handler", "Runtime.MalformedHandlerName", "'../x.handler' is not a valid handler name. Use absolute paths when specifying root directories in handler names."},
		{"SyntaxError", "bad.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: "},
		{"ThrowsOnLoad", "throws.handler", "TypeError", "init exploded"},
	}
	for _, tt := range initErrors {
		t.Run("InitError/"+tt.name, func(t *testing.T) {
			t.Parallel()
			name := "node-init-" + strings.ToLower(tt.name)
			res := mustInvoke(t, b.m, fn(name, tt.handler), `{}`)
			doc := mustFunctionError(t, res)
			require.Equal(t, tt.errType, doc.ErrorType)
			require.True(t, strings.HasPrefix(doc.ErrorMessage, tt.message), "message %q", doc.ErrorMessage)
			require.NotEmpty(t, doc.Trace)
			lines := b.sink.lines("/aws/lambda/" + name)
			require.True(t, containsLine(lines, "INIT_REPORT Init Duration: "), "lines: %q", lines)
			require.Regexp(t, `(?m)^\S+Z\tundefined\tERROR\tUncaught Exception \t\{"errorType":"`+regexp.QuoteMeta(tt.errType)+`"`, strings.Join(lines, "\n"))
		})
	}

	t.Run("Context", func(t *testing.T) {
		t.Parallel()
		f := fn("node-ctx", "index.ctx")
		req := &InvokeRequest{
			Payload:            []byte(`{}`),
			InvokedFunctionARN: f.ARN + ":3",
			ClientContext:      `{"custom":{"k":"v"}}`,
			CognitoIdentity:    `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
		}
		res, err := b.m.Invoke(context.Background(), f, req)
		require.NoError(t, err)
		require.Empty(t, res.FunctionError, "%s", res.Payload)
		var got map[string]any
		require.NoError(t, jsonUnmarshal(res.Payload, &got))
		require.Equal(t, res.RequestID, got["awsRequestId"])
		require.Equal(t, "node-ctx", got["functionName"])
		require.Equal(t, "$LATEST", got["functionVersion"])
		require.Equal(t, "128", got["memoryLimitInMB"])
		require.Equal(t, f.ARN+":3", got["invokedFunctionArn"])
		require.Equal(t, "/aws/lambda/node-ctx", got["logGroupName"])
		require.Contains(t, b.sink.streamNames("/aws/lambda/node-ctx"), got["logStreamName"])
		require.Equal(t, true, got["remainingOk"])
		require.Equal(t, true, got["callbackWaitsForEmptyEventLoop"])
		require.Equal(t, map[string]any{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}, got["identity"])
		require.Equal(t, map[string]any{"custom": map[string]any{"k": "v"}}, got["clientContext"])
		require.Contains(t, got["trace"], "Root=1-")
	})

	t.Run("Logs", func(t *testing.T) {
		t.Parallel()
		res := mustSucceed(t, b.m, fn("node-logs", "index.logs"), `{}`, nil)
		id := res.RequestID
		joined := strings.Join(b.sink.lines("/aws/lambda/node-logs"), "\n")
		ts := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`
		require.Regexp(t, `(?m)^`+ts+`\tundefined\tINFO\tinit: loading index.js$`, joined)
		require.Regexp(t, `(?m)^`+ts+`\t`+id+`\tINFO\tlog line 1$`, joined)
		require.Regexp(t, `(?m)^`+ts+`\t`+id+`\tERROR\terror line$`, joined)
		// A multi-line record is one event with \n inside, as AWS's runtime writes it
		// through the telemetry log descriptor.
		multi := 0
		for _, l := range b.sink.rawLines("/aws/lambda/node-logs") {
			if strings.HasSuffix(l, "\tINFO\tmulti\nline") {
				multi++
				require.Regexp(t, `^`+ts+`\t`+id+`\tINFO\tmulti\nline$`, l)
			}
		}
		require.Equal(t, 1, multi, "one event for the multi-line record")
		require.Regexp(t, `(?m)^raw stdout$`, joined)
		require.Regexp(t, `(?m)^REPORT RequestId: `+id+`\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$`, joined)
	})

	t.Run("CallbackWaitsForEmptyEventLoop", func(t *testing.T) {
		t.Parallel()
		f := fn("node-waits", "index.waits")
		res := mustSucceed(t, b.m, f, `{"wait":true,"ms":50}`, nil)
		require.Contains(t, string(res.LogTail), "\tINFO\ttimer fired\n", "the response waited for the timer")
		require.GreaterOrEqual(t, res.Duration, 50*time.Millisecond)

		res = mustSucceed(t, b.m, f, `{"wait":false,"ms":3000}`, nil)
		require.NotContains(t, string(res.LogTail), "timer fired", "the response did not wait for the timer")
		require.Less(t, res.Duration, 3*time.Second)
	})

	t.Run("WarmReuse", func(t *testing.T) {
		t.Parallel()
		f := fn("node-counter", "index.counter")
		var first, second struct {
			Count    int    `json:"count"`
			Instance string `json:"instance"`
		}
		mustSucceed(t, b.m, f, `{}`, &first)
		r2 := mustSucceed(t, b.m, f, `{}`, &second)
		require.False(t, r2.Cold)
		require.Equal(t, 1, first.Count)
		require.Equal(t, 2, second.Count)
		require.Equal(t, first.Instance, second.Instance)
	})

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		f := fn("node-timeout", "index.sleep", func(f *Function) { f.Timeout = time.Second })
		res := mustInvoke(t, b.m, f, `{"seconds":30}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Sandbox.Timedout", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Task timed out after 1.00 seconds", doc.ErrorMessage)
	})

	t.Run("Crash", func(t *testing.T) {
		t.Parallel()
		f := fn("node-crash", "index.crash")
		res := mustInvoke(t, b.m, f, `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.ExitError", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 2", doc.ErrorMessage)
		res2 := mustInvoke(t, b.m, f, `{}`)
		require.True(t, res2.Cold, "a crashed runtime is replaced")
	})

	t.Run("Streaming", func(t *testing.T) {
		t.Parallel()
		testStreaming(t, b, fn("node-stream", "index.stream"), "text/plain")
	})
}

// testStreaming checks that a function's response reaches the caller as it is written:
// the function writes a first chunk, then waits at a gate the test opens only after it has
// read that chunk.
func testStreaming(t *testing.T, b *testBundle, f *Function, contentType string) {
	t.Helper()
	gate := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-gate:
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)

	st, err := b.m.InvokeStream(context.Background(), f, &InvokeRequest{Payload: []byte(`{"gate":"` + srv.URL + `"}`)})
	require.NoError(t, err)
	require.Equal(t, contentType, st.ContentType)
	first := make([]byte, len("chunk-1;"))
	_, err = io.ReadFull(st.Body, first)
	require.NoError(t, err)
	require.Equal(t, "chunk-1;", string(first), "the first chunk arrives while the function still runs")
	close(gate)
	rest, err := io.ReadAll(st.Body)
	require.NoError(t, err)
	require.Equal(t, "chunk-2;", string(rest))
	res := st.Wait()
	require.Empty(t, res.FunctionError, "%s", res.Payload)
	require.Equal(t, st.RequestID, res.RequestID)

	// A failure mid-stream ends the body and is reported through the result.
	st, err = b.m.InvokeStream(context.Background(), f, &InvokeRequest{Payload: []byte(`{"name":"fail"}`)})
	require.NoError(t, err)
	body, err := io.ReadAll(st.Body)
	require.NoError(t, err)
	require.Equal(t, "chunk-1;chunk-2;", string(body))
	res = st.Wait()
	require.Equal(t, "Unhandled", res.FunctionError)
	var doc errorDoc
	require.NoError(t, jsonUnmarshal(res.Payload, &doc), "%s", res.Payload)
	require.Contains(t, doc.ErrorMessage, "stream broke")
	require.NotEmpty(t, res.ErrorType)

	// A synchronous invoke of a streaming function gets the whole response.
	sync := mustInvoke(t, b.m, f, `{}`)
	require.Empty(t, sync.FunctionError, "%s", sync.Payload)
	require.Equal(t, "chunk-1;chunk-2;", string(sync.Payload))
}
