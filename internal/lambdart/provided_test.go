package lambdart

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestProvidedRuntime runs a real Runtime API client: a Go function built with
// aws-lambda-go into a provided.al2023 bootstrap.
func TestProvidedRuntime(t *testing.T) {
	t.Parallel()
	bootstrap := mustGoBootstrap(t)
	b := setup(t)
	code := mustZipDir(t, "", map[string]fileSpec{"bootstrap": {data: string(bootstrap), mode: 0o755}})
	fn := func(name, handler string, mods ...func(*Function)) *Function {
		return b.function(t, name, "provided.al2023", handler, code, mods...)
	}

	t.Run("Success", func(t *testing.T) {
		t.Parallel()
		var out map[string]string
		res := mustSucceed(t, b.m, fn("go-hello", "hello"), `{"name":"gopher"}`, &out)
		require.Equal(t, map[string]string{"hello": "GOPHER"}, out)
		require.Contains(t, string(res.LogTail), "hello handler called for gopher\n")
		lines := b.sink.lines("/aws/lambda/go-hello")
		require.Contains(t, lines, "init: go bootstrap starting")
		require.True(t, containsLine(lines, "INIT_START Runtime Version: provided:al2023.v1\t"))
	})

	t.Run("HandlerError", func(t *testing.T) {
		t.Parallel()
		res := mustInvoke(t, b.m, fn("go-fail", "fail"), `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "go handler failed", doc.ErrorMessage)
		require.Equal(t, "errorString", doc.ErrorType)
	})

	t.Run("Context", func(t *testing.T) {
		t.Parallel()
		f := fn("go-ctx", "ctx", func(f *Function) { f.MemoryMB = 512 })
		var got map[string]any
		res := mustSucceed(t, b.m, f, `{}`, &got)
		require.Equal(t, res.RequestID, got["request_id"])
		require.Equal(t, f.ARN, got["function_arn"])
		require.Equal(t, "go-ctx", got["name"])
		require.Equal(t, "$LATEST", got["version"])
		require.Equal(t, float64(512), got["memory"])
		require.Equal(t, "/aws/lambda/go-ctx", got["log_group"])
		require.Equal(t, true, got["deadline_ok"])
		require.Contains(t, got["trace"], "Root=1-")
	})

	t.Run("WarmReuse", func(t *testing.T) {
		t.Parallel()
		f := fn("go-counter", "counter")
		var first, second struct {
			Count    int    `json:"count"`
			Instance string `json:"instance"`
		}
		mustSucceed(t, b.m, f, `{}`, &first)
		mustSucceed(t, b.m, f, `{}`, &second)
		require.Equal(t, 1, first.Count)
		require.Equal(t, 2, second.Count)
		require.Equal(t, first.Instance, second.Instance)
	})

	t.Run("Crash", func(t *testing.T) {
		t.Parallel()
		res := mustInvoke(t, b.m, fn("go-exit", "exit"), `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.ExitError", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 3", doc.ErrorMessage)
		require.Contains(t, string(res.LogTail), "exiting with status 3\n")
	})

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		f := fn("go-timeout", "sleep", func(f *Function) { f.Timeout = 500 * time.Millisecond })
		res := mustInvoke(t, b.m, f, `{"seconds":30}`)
		require.Equal(t, "Sandbox.Timedout", mustFunctionError(t, res).ErrorType)
		require.Equal(t, 0, b.m.Environments(f.FunctionKey).Idle, "a timed-out environment is not reused")
	})

	t.Run("Streaming", func(t *testing.T) {
		t.Parallel()
		testStreaming(t, b, fn("go-stream", "stream"), "application/octet-stream")
	})

	t.Run("BootstrapInLayer", func(t *testing.T) {
		t.Parallel()
		layer := b.layer(t, code)
		f := b.function(t, "go-layer", "provided.al2", "hello", mustZipDir(t, "", map[string]fileSpec{"README": {data: "no bootstrap here"}}),
			func(f *Function) { f.Layers = []*Code{layer} })
		var out map[string]string
		mustSucceed(t, b.m, f, `{"name":"layer"}`, &out)
		require.Equal(t, "LAYER", out["hello"])
	})

	t.Run("MissingBootstrap", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "go-nobootstrap", "provided.al2023", "x", mustZipDir(t, "", map[string]fileSpec{"main.go": {data: "package main"}}))
		res := mustInvoke(t, b.m, f, `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.InvalidEntrypoint", doc.ErrorType)
		task, opt := "/var/task", "/opt"
		if !b.m.Sandbox().Namespaces {
			task = f.Code.Dir
			opt, _ = b.m.Code().MergeLayers(nil)
		}
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Couldn't find valid bootstrap(s): ["+task+"/bootstrap "+opt+"/bootstrap]", doc.ErrorMessage)
	})

	t.Run("BootstrapNotExecutable", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "go-noexec", "provided.al2023", "x", mustZipDir(t, "", map[string]fileSpec{"bootstrap": {data: "#!/bin/sh\necho hi\n", mode: 0o644}}))
		res := mustInvoke(t, b.m, f, `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.InvalidEntrypoint", doc.ErrorType)
		require.Contains(t, doc.ErrorMessage, "permission denied")
	})

	t.Run("BootstrapExits", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "go-bootexit", "provided.al2023", "x", mustZipDir(t, "", map[string]fileSpec{"bootstrap": {data: "#!/bin/sh\necho starting\nexit 5\n", mode: 0o755}}))
		res := mustInvoke(t, b.m, f, `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.ExitError", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 5", doc.ErrorMessage)
		require.True(t, containsLine(b.sink.lines("/aws/lambda/go-bootexit"), "INIT_REPORT Init Duration: "))
	})

	t.Run("DefaultRuntime", func(t *testing.T) {
		t.Parallel()
		f := fn("go-default", "hello", func(f *Function) { f.Runtime = "" })
		var out map[string]string
		mustSucceed(t, b.m, f, `{"name":"d"}`, &out)
		require.Equal(t, "D", out["hello"])
	})
}

// TestMisbehavingRuntimes checks that runtimes that never ask for an event, or write
// garbage to the Runtime API, fail their invocation cleanly while other functions keep
// working.
func TestMisbehavingRuntimes(t *testing.T) {
	t.Parallel()
	bootstrap := mustGoBootstrap(t)
	b := setup(t, func(c *Config) { c.InitTimeout = time.Second })
	good := b.function(t, "good", "provided.al2023", "hello", mustZipDir(t, "", map[string]fileSpec{"bootstrap": {data: string(bootstrap), mode: 0o755}}))

	silent := b.function(t, "silent", "provided.al2023", "x", mustZipDir(t, "", map[string]fileSpec{
		"bootstrap": {data: "#!/bin/sh\necho never calling next\nexec sleep 600\n", mode: 0o755},
	}))
	garbage := b.function(t, "garbage", "provided.al2023", "x", mustZipDir(t, "", map[string]fileSpec{
		"bootstrap": {data: "#!/bin/bash\nexec 3<>/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API#*:}\n" +
			"printf 'GARBAGE \\x00\\xff\\r\\n\\r\\n' >&3\ncat <&3\n" +
			"exec 3<>/dev/tcp/${AWS_LAMBDA_RUNTIME_API%:*}/${AWS_LAMBDA_RUNTIME_API#*:}\n" +
			"printf 'POST /2018-06-01/runtime/invocation/nope/response HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\n{}' >&3\nhead -c 12 <&3; echo\nexec sleep 600\n", mode: 0o755},
	}))

	type outcome struct {
		name string
		res  *InvokeResult
	}
	results := make(chan outcome, 2)
	for _, f := range []*Function{silent, garbage} {
		go func() {
			res, err := b.m.Invoke(context.Background(), f, &InvokeRequest{Payload: []byte(`{}`)})
			require.NoError(t, err)
			results <- outcome{f.Name, res}
		}()
	}
	// Meanwhile the good function is served.
	var out map[string]string
	mustSucceed(t, b.m, good, `{"name":"ok"}`, &out)
	require.Equal(t, "OK", out["hello"])

	for range 2 {
		o := <-results
		doc := mustFunctionError(t, o.res)
		require.Equal(t, "Sandbox.Timedout", doc.ErrorType, o.name)
		require.Equal(t, "RequestId: "+o.res.RequestID+" Error: Task timed out after 1.00 seconds", doc.ErrorMessage)
		lines := b.sink.lines("/aws/lambda/" + o.name)
		require.True(t, containsLine(lines, "INIT_REPORT Init Duration: "), "lines: %q", lines)
		require.Regexp(t, `INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: timeout`, strings.Join(lines, "\n"))
	}
	garbageLines := strings.Join(b.sink.lines("/aws/lambda/garbage"), "\n")
	require.Contains(t, garbageLines, "HTTP/1.1 400", "garbage is answered with 400")
	require.Contains(t, garbageLines, "HTTP/1.1 403", "a response before next is refused")
	mustSucceed(t, b.m, good, `{"name":"still"}`, &out)
}
