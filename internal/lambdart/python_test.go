package lambdart

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPythonRuntime(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", nil)
	fn := func(name, handler string, mods ...func(*Function)) *Function {
		return b.function(t, name, "python3.12", handler, code, mods...)
	}
	taskRoot := func(f *Function) string {
		if b.m.Sandbox().Namespaces {
			return "/var/task"
		}
		return f.Code.Dir
	}

	t.Run("Success", func(t *testing.T) {
		t.Parallel()
		var out map[string]string
		res := mustSucceed(t, b.m, fn("py-hello", "lambda_function.hello"), `{"name":"overcast"}`, &out)
		require.Equal(t, map[string]string{"hello": "overcast"}, out)
		require.Equal(t, "application/json", res.ContentType)
		require.True(t, res.Cold)
		require.Positive(t, res.InitDuration)
	})

	t.Run("NestedHandlerPath", func(t *testing.T) {
		t.Parallel()
		var out map[string]any
		mustSucceed(t, b.m, fn("py-nested", "pkg/sub/deep.handler"), `{"a":1}`, &out)
		require.Equal(t, map[string]any{"deep": map[string]any{"a": float64(1)}}, out)
	})

	t.Run("HandlerError", func(t *testing.T) {
		t.Parallel()
		f := fn("py-fail", "lambda_function.fail")
		res := mustInvoke(t, b.m, f, `{"why":"because"}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "ValueError", doc.ErrorType)
		require.Equal(t, "ValueError", res.ErrorType)
		require.Equal(t, "boom: because", doc.ErrorMessage)
		require.NotNil(t, doc.RequestID)
		require.Equal(t, res.RequestID, *doc.RequestID)
		require.Len(t, doc.StackTrace, 1, "only the user's frames: %v", doc.StackTrace)
		require.Regexp(t, `^  File "`+regexp.QuoteMeta(taskRoot(f))+`/lambda_function.py", line \d+, in fail\n    raise ValueError`, doc.StackTrace[0])
		// The runtime logs the error as one event, as AWS's does through its telemetry
		// descriptor: lines joined by \n, indented with NBSP, no final newline.
		want := "[ERROR] ValueError: boom: because\nTraceback (most recent call last):\n\u00a0\u00a0File \""
		require.Contains(t, string(res.LogTail), want)
		var event string
		for _, l := range b.sink.rawLines("/aws/lambda/py-fail") {
			if strings.HasPrefix(l, "[ERROR] ValueError: boom: because") {
				event = l
			}
		}
		require.True(t, strings.HasPrefix(event, want), "one event for the whole traceback: %q", event)
		require.Regexp(t, `raise ValueError\("boom: " \+ str\(event.get\("why", "no reason"\)\)\)$`, event)
		// A handler error leaves the environment usable.
		res2 := mustInvoke(t, b.m, f, `{}`)
		require.False(t, res2.Cold)
	})

	initErrors := []struct {
		name, handler, errType, message string
	}{
		{"ImportModuleError", "nope.handler", "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
		{"HandlerNotFound", "lambda_function.nothing", "Runtime.HandlerNotFound", "Handler 'nothing' missing on module 'lambda_function'"},
		{"MalformedHandlerName", "nodots", "Runtime.MalformedHandlerName", "Bad handler 'nodots': not enough values to unpack (expected 2, got 1)"},
		{"BuiltInModuleConflict", "sys.handler", "Runtime.BuiltInModuleConflict", "Cannot use built-in module sys as a handler module"},
		{"SyntaxError", "syntax_error.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntax_error': "},
		{"ImportRaises", "raises_on_import.handler", "RuntimeError", "import-time failure"},
	}
	for _, tt := range initErrors {
		t.Run("InitError/"+tt.name, func(t *testing.T) {
			t.Parallel()
			name := "py-init-" + strings.ToLower(tt.name)
			res := mustInvoke(t, b.m, fn(name, tt.handler), `{}`)
			doc := mustFunctionError(t, res)
			require.Equal(t, tt.errType, doc.ErrorType)
			require.Equal(t, tt.errType, res.ErrorType)
			require.True(t, strings.HasPrefix(doc.ErrorMessage, tt.message), "message %q", doc.ErrorMessage)
			require.NotNil(t, doc.RequestID)
			require.Equal(t, "", *doc.RequestID, "init errors carry no request id")
			lines := b.sink.lines("/aws/lambda/" + name)
			require.True(t, containsLine(lines, "INIT_REPORT Init Duration: "), "lines: %q", lines)
			require.True(t, containsLine(lines, "[ERROR] "+tt.errType), "lines: %q", lines)
			require.Regexp(t, `REPORT RequestId: `+res.RequestID+`\t.*\tStatus: error\tError Type: `+regexp.QuoteMeta(tt.errType), strings.Join(lines, "\n"))
		})
	}

	t.Run("EnvironmentVariables", func(t *testing.T) {
		t.Parallel()
		f := fn("py-env", "lambda_function.env", func(f *Function) {
			f.MemoryMB = 256
			f.Environment = map[string]string{"MY_VAR": "mine", "AWS_REGION": "ignored", "LANG": "C.UTF-8"}
			f.Credentials = Credentials{AccessKeyID: "AKIDROLE", SecretAccessKey: "secret", SessionToken: "token"}
		})
		var env map[string]*string
		mustSucceed(t, b.m, f, `{}`, &env)
		want := map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME":        "py-env",
			"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
			"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/py-env",
			"AWS_REGION":                      "us-east-1",
			"AWS_DEFAULT_REGION":              "us-east-1",
			"AWS_EXECUTION_ENV":               "AWS_Lambda_python3.12",
			"LAMBDA_TASK_ROOT":                taskRoot(f),
			"_HANDLER":                        "lambda_function.env",
			"TZ":                              ":UTC",
			"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
			"AWS_ACCESS_KEY_ID":               "AKIDROLE",
			"AWS_SECRET_ACCESS_KEY":           "secret",
			"AWS_SESSION_TOKEN":               "token",
			"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
			"MY_VAR":                          "mine",
			"LANG":                            "C.UTF-8",
		}
		for k, v := range want {
			require.NotNil(t, env[k], "%s missing", k)
			require.Equal(t, v, *env[k], k)
		}
		require.Regexp(t, `^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`, *env["AWS_LAMBDA_LOG_STREAM_NAME"])
		require.Regexp(t, `^127\.0\.0\.1:\d+$`, *env["AWS_LAMBDA_RUNTIME_API"])
		for _, k := range []string{"LAMBDA_RUNTIME_DIR", "PATH", "LD_LIBRARY_PATH", "_X_AMZN_TRACE_ID"} {
			require.NotNil(t, env[k], "%s missing", k)
		}
		require.Contains(t, *env["_X_AMZN_TRACE_ID"], "Root=1-")
	})

	t.Run("Context", func(t *testing.T) {
		t.Parallel()
		f := fn("py-ctx", "lambda_function.ctx")
		req := &InvokeRequest{
			Payload:            []byte(`{}`),
			InvokedFunctionARN: f.ARN + ":live",
			ClientContext:      `{"custom":{"k":"v"},"env":{},"client":{}}`,
			CognitoIdentity:    `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
			TraceID:            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		}
		res, err := b.m.Invoke(context.Background(), f, req)
		require.NoError(t, err)
		require.Empty(t, res.FunctionError, "%s", res.Payload)
		var got map[string]any
		require.NoError(t, jsonUnmarshal(res.Payload, &got))
		require.Equal(t, res.RequestID, got["aws_request_id"])
		require.Equal(t, "py-ctx", got["function_name"])
		require.Equal(t, "$LATEST", got["function_version"])
		require.Equal(t, "128", got["memory_limit_in_mb"], "the Python runtime reports the memory size as a string")
		require.Equal(t, f.ARN+":live", got["invoked_function_arn"])
		require.Equal(t, "/aws/lambda/py-ctx", got["log_group_name"])
		require.Contains(t, b.sink.streamNames("/aws/lambda/py-ctx"), got["log_stream_name"])
		require.Equal(t, true, got["remaining_ok"])
		require.Equal(t, "id-1", got["identity_id"])
		require.Equal(t, map[string]any{"k": "v"}, got["client_custom"])
		require.Equal(t, req.TraceID, got["trace_id"])
		require.Equal(t, taskRoot(f), got["cwd"])
		require.Equal(t, true, got["tmp_writable"])
	})

	t.Run("LogsAndReport", func(t *testing.T) {
		t.Parallel()
		f := fn("py-logs", "lambda_function.logs")
		res := mustSucceed(t, b.m, f, `{"n":7}`, nil)
		id := res.RequestID
		lines := b.sink.lines("/aws/lambda/py-logs")
		require.Equal(t, "INIT_START Runtime Version: python:3.12.v1", strings.SplitN(lines[0], "\t", 2)[0])
		require.Contains(t, lines, "init: loading lambda_function")
		require.Contains(t, lines, "START RequestId: "+id+" Version: $LATEST")
		require.Contains(t, lines, "plain print line")
		require.Contains(t, lines, "to stderr")
		require.Contains(t, lines, "END RequestId: "+id)
		joined := strings.Join(lines, "\n")
		require.Regexp(t, `(?m)^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t`+id+`\tinfo via logging 7$`, joined)
		require.Regexp(t, `(?m)^\[WARNING\]\t\S+Z\t`+id+`\ta warning$`, joined)
		require.Regexp(t, `(?m)^REPORT RequestId: `+id+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$`, joined)
		// CloudWatch Logs gets every line with its newline, as AWS delivers them.
		for _, m := range b.sink.rawLines("/aws/lambda/py-logs") {
			require.True(t, strings.HasSuffix(m, "\n"), "message %q", m)
		}
		// Order: START, the function's lines, END, REPORT.
		idx := func(s string) int {
			for i, l := range lines {
				if strings.HasPrefix(l, s) {
					return i
				}
			}
			return -1
		}
		require.Less(t, idx("START"), idx("plain print line"))
		require.Less(t, idx("to stderr"), idx("END"))
		require.Less(t, idx("END"), idx("REPORT"))
		// The tail holds the invocation's own log, REPORT included.
		tail := string(res.LogTail)
		require.True(t, strings.HasPrefix(tail, "START RequestId: "+id), tail)
		require.Contains(t, tail, "plain print line\n")
		require.Contains(t, tail, "\nREPORT RequestId: "+id)
		require.NotContains(t, tail, "init: loading")
		require.Equal(t, time.Duration(billedMillis(res.Duration+res.InitDuration))*time.Millisecond, res.BilledDuration)
	})

	t.Run("WarmReuse", func(t *testing.T) {
		t.Parallel()
		f := fn("py-counter", "lambda_function.counter")
		var first, second struct {
			Count    int    `json:"count"`
			Instance string `json:"instance"`
		}
		r1 := mustSucceed(t, b.m, f, `{}`, &first)
		r2 := mustSucceed(t, b.m, f, `{}`, &second)
		require.True(t, r1.Cold)
		require.False(t, r2.Cold)
		require.Zero(t, r2.InitDuration)
		require.Equal(t, 1, first.Count)
		require.Equal(t, 2, second.Count)
		require.Equal(t, first.Instance, second.Instance)
		require.Equal(t, EnvStats{Total: 1, Idle: 1}, b.m.Environments(f.FunctionKey))
	})

	t.Run("Timeout", func(t *testing.T) {
		t.Parallel()
		f := fn("py-timeout", "lambda_function.sleep", func(f *Function) { f.Timeout = time.Second })
		res := mustInvoke(t, b.m, f, `{"seconds":30}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Sandbox.Timedout", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Task timed out after 1.00 seconds", doc.ErrorMessage)
		joined := strings.Join(b.sink.lines("/aws/lambda/py-timeout"), "\n")
		// AWS's REPORT line of a timeout ends with the status: no error type.
		require.Regexp(t, `(?m)^REPORT RequestId: `+res.RequestID+`\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\tStatus: timeout$`, joined)
		require.Regexp(t, `(?m)^\S+Z `+res.RequestID+` Task timed out after 1\.00 seconds$`, joined)
		// The environment was recycled: the next invocation starts a new one and works.
		f2 := fn("py-timeout", "lambda_function.hello", func(f *Function) { f.Timeout = time.Second })
		res2 := mustSucceed(t, b.m, f2, `{}`, nil)
		require.True(t, res2.Cold)
	})

	t.Run("Crash", func(t *testing.T) {
		t.Parallel()
		f := fn("py-crash", "lambda_function.crash")
		res := mustInvoke(t, b.m, f, `{"code":1}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.ExitError", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Runtime exited with error: exit status 1", doc.ErrorMessage)
		require.Contains(t, string(res.LogTail), "about to exit\n", "output before the crash is the invocation's")
		joined := strings.Join(b.sink.lines("/aws/lambda/py-crash"), "\n")
		require.Regexp(t, `Status: error\tError Type: Runtime.ExitError`, joined)
		// The crashed runtime is replaced.
		res2 := mustInvoke(t, b.m, f, `{"code":2}`)
		require.True(t, res2.Cold)
		require.Contains(t, mustFunctionError(t, res2).ErrorMessage, "exit status 2")
	})

	t.Run("OutOfMemory", func(t *testing.T) {
		t.Parallel()
		if b.m.Sandbox().Cgroup == "" {
			t.Skip("no cgroup memory controller on this host: OOM is not enforced (" + b.m.Sandbox().Reason + ")")
		}
		f := fn("py-oom", "lambda_function.hog", func(f *Function) { f.MemoryMB = 128 })
		res := mustInvoke(t, b.m, f, `{"mb":512}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Runtime.OutOfMemory", doc.ErrorType)
		require.Equal(t, "RequestId: "+res.RequestID+" Error: Runtime exited with error: signal: killed", doc.ErrorMessage)
		require.GreaterOrEqual(t, res.MaxMemoryUsedMB, 120)
		joined := strings.Join(b.sink.lines("/aws/lambda/py-oom"), "\n")
		require.Regexp(t, `Max Memory Used: 1[23]\d MB\t.*Status: error\tError Type: Runtime.OutOfMemory`, joined)
	})

	t.Run("ResponseTooLarge", func(t *testing.T) {
		t.Parallel()
		res := mustInvoke(t, b.m, fn("py-big", "lambda_function.big"), `{}`)
		doc := mustFunctionError(t, res)
		require.Equal(t, "Function.ResponseSizeTooLarge", doc.ErrorType)
		require.Equal(t, "Response payload size exceeded maximum allowed payload size (6291556 bytes).", doc.ErrorMessage)
	})

	t.Run("Layers", func(t *testing.T) {
		t.Parallel()
		old := b.layer(t, mustZipDir(t, "", map[string]fileSpec{"python/greeting.py": {data: "def greet(n):\n    return 'old ' + n\n"}}))
		lib := b.layer(t, mustZipDir(t, "testdata/python/layer", nil))
		f := fn("py-layer", "lambda_function.from_layer", func(f *Function) { f.Layers = []*Code{old, lib} })
		var out string
		mustSucceed(t, b.m, f, `{"name":"x"}`, &out)
		require.Equal(t, "hello from a layer, x", out, "later layers overwrite earlier ones")
	})

	t.Run("Extension", func(t *testing.T) {
		t.Parallel()
		ext := b.layer(t, mustZipDir(t, "", map[string]fileSpec{"extensions/logger-ext": {data: mustRead(t, "testdata/extensions/logger-ext"), mode: 0o755}}))
		f := fn("py-ext", "lambda_function.hello", func(f *Function) { f.Layers = []*Code{ext} })
		res := mustSucceed(t, b.m, f, `{}`, nil)
		group := "/aws/lambda/py-ext"
		require.Eventually(t, func() bool {
			return containsLine(b.sink.lines(group), "[logger-ext] INVOKE "+res.RequestID)
		}, 10*time.Second, 10*time.Millisecond)
		lines := b.sink.lines(group)
		require.True(t, containsLine(lines, "[logger-ext] registered for py-ext"), "lines: %q", lines)
		// The invoke phase ends, and REPORT is logged, once the extension asks for its next
		// event; the caller had its response before that.
		require.Eventually(t, func() bool {
			return containsLine(b.sink.lines(group), "REPORT RequestId: "+res.RequestID)
		}, 10*time.Second, 10*time.Millisecond)
		// Evicting the function shuts the environment down: the extension gets SHUTDOWN.
		b.m.Evict(f.AccountID, f.Region, f.Name, "")
		require.Eventually(t, func() bool {
			return containsLine(b.sink.lines(group), "[logger-ext] SHUTDOWN spindown")
		}, 10*time.Second, 10*time.Millisecond)
	})
}

// TestPythonPlainProcess runs functions without the sandbox: same semantics, no
// enforcement, code straight from the cache.
func TestPythonPlainProcess(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t, func(c *Config) { c.Sandbox = SandboxOff })
	require.False(t, b.m.Sandbox().Namespaces)
	lib := b.layer(t, mustZipDir(t, "testdata/python/layer", nil))
	f := b.function(t, "plain-ctx", "python3.12", "lambda_function.ctx", mustZipDir(t, "testdata/python/basic", nil))
	var got map[string]any
	mustSucceed(t, b.m, f, `{}`, &got)
	require.Equal(t, f.Code.Dir, got["cwd"])
	require.Equal(t, true, got["tmp_writable"])

	var env map[string]*string
	fe := b.function(t, "plain-env", "python3.12", "lambda_function.env", mustZipDir(t, "testdata/python/basic", nil))
	mustSucceed(t, b.m, fe, `{"keys":["LAMBDA_TASK_ROOT","TMPDIR"]}`, &env)
	require.Equal(t, fe.Code.Dir, *env["LAMBDA_TASK_ROOT"])
	require.Contains(t, *env["TMPDIR"], b.m.cfg.DataDir, "a private per-environment /tmp")

	fl := b.function(t, "plain-layer", "python3.12", "lambda_function.from_layer", mustZipDir(t, "testdata/python/basic", nil),
		func(f *Function) { f.Layers = []*Code{lib} })
	var out string
	mustSucceed(t, b.m, fl, `{"name":"y"}`, &out)
	require.Equal(t, "hello from a layer, y", out)
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := readFile(path)
	require.NoError(t, err)
	return string(b)
}
