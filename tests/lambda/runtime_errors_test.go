package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// initErrorCase is a handler that fails the init phase.
type initErrorCase struct {
	name, handler, errType, messagePrefix string
}

// runtimeErrorCases are one runtime's failing handlers and the error documents AWS's
// runtime for it answers.
type runtimeErrorCases struct {
	runtime types.Runtime
	code    func(t *testing.T) []byte

	fail, failPayload, failType, failMessage string
	// failLog is what the runtime logs for an unhandled error ("" when it logs nothing).
	failLog string
	// failFrames checks the stack frames of the error document.
	failFrames func(t *testing.T, doc functionErrorDoc)

	sleep, crash, crashOutput string
	crashStatus               int

	initErrors []initErrorCase
}

func errorRuntimes() []runtimeErrorCases {
	return []runtimeErrorCases{
		{
			runtime: types.RuntimePython312,
			code:    func(t *testing.T) []byte { return zipDir(t, pythonFunctionDir, nil) },
			fail:    "lambda_function.fail", failPayload: `{"why":"because"}`, failType: "ValueError", failMessage: "boom: because",
			failLog: "[ERROR] ValueError: boom: because",
			failFrames: func(t *testing.T, doc functionErrorDoc) {
				require.Nil(t, doc.Trace)
				require.Len(t, doc.StackTrace, 1, "only the handler's frame: %q", doc.StackTrace)
				require.Regexp(t, `^  File ".*/lambda_function\.py", line \d+, in fail\n    raise ValueError`, doc.StackTrace[0])
			},
			sleep: "lambda_function.sleep", crash: "lambda_function.crash", crashOutput: "about to exit", crashStatus: 1,
			initErrors: []initErrorCase{
				{"ImportModuleError", "nope.handler", "Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
				{"HandlerNotFound", "lambda_function.nothing", "Runtime.HandlerNotFound", "Handler 'nothing' missing on module 'lambda_function'"},
			},
		},
		{
			runtime: types.RuntimeNodejs20x,
			code:    func(t *testing.T) []byte { return zipDir(t, nodeFunctionDir, nil) },
			fail:    "index.fail", failPayload: `{"why":"because"}`, failType: "CustomError", failMessage: "boom: because",
			failLog: `ERROR	Invoke Error 	{"errorType":"CustomError","errorMessage":"boom: because"`,
			failFrames: func(t *testing.T, doc functionErrorDoc) {
				require.Nil(t, doc.StackTrace, "Node.js names the frames trace")
				require.GreaterOrEqual(t, len(doc.Trace), 2, "trace %q", doc.Trace)
				require.Equal(t, "CustomError: boom: because", doc.Trace[0])
				require.True(t, strings.HasPrefix(doc.Trace[1], "    at "), "trace %q", doc.Trace)
			},
			sleep: "index.sleep", crash: "index.crash", crashOutput: "about to exit", crashStatus: 2,
			initErrors: []initErrorCase{
				{"ImportModuleError", "missing.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'missing'"},
				{"HandlerNotFound", "index.nothing", "Runtime.HandlerNotFound", "index.nothing is undefined or not exported"},
			},
		},
		{
			runtime: types.RuntimeProvidedal2023,
			code:    goBootstrapZip,
			fail:    "fail", failPayload: `{}`, failType: "errorString", failMessage: "go handler failed",
			failFrames: func(t *testing.T, doc functionErrorDoc) {
				require.Nil(t, doc.Trace)
				require.Nil(t, doc.RequestID)
			},
			sleep: "sleep", crash: "exit", crashOutput: "exiting with status 3", crashStatus: 3,
		},
	}
}

// requestIDOf returns the x-amzn-RequestId of an answer: the invocation's request id.
func requestIDOf(t *testing.T, out *lambda.InvokeOutput) string {
	t.Helper()
	id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	require.True(t, ok && id != "", "the answer has a request id")
	return id
}

// requirePlatformLines checks that a log tail holds the invocation's START, END and REPORT
// lines.
func requirePlatformLines(t *testing.T, tail, requestID string) {
	t.Helper()
	require.Contains(t, tail, "START RequestId: "+requestID+" Version: $LATEST\n")
	require.Contains(t, tail, "END RequestId: "+requestID+"\n")
	require.Regexp(t, `REPORT RequestId: `+requestID+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: \d+ MB\tMax Memory Used: \d+ MB`, tail)
}

// TestFunctionErrorsByRuntime fails functions in each runtime (Python, Node.js, and Go
// with aws-lambda-go) in every way AWS documents and checks the answers aws-sdk-go-v2 gets,
// the log tails, and CloudWatch Logs as aws-sdk-go-v2 and the AWS CLI show them.
func TestFunctionErrorsByRuntime(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	for _, rc := range errorRuntimes() {
		t.Run(string(rc.runtime), func(t *testing.T) {
			t.Parallel()
			code := rc.code(t)
			newFunction := func(t *testing.T, handler string, timeout int32) string {
				name := uniqueName(t)
				createFunction(t, c, &lambda.CreateFunctionInput{
					FunctionName: aws.String(name), Runtime: rc.runtime, Handler: aws.String(handler),
					Code: &types.FunctionCode{ZipFile: code}, Timeout: aws.Int32(timeout),
				})
				return name
			}

			t.Run("Unhandled", func(t *testing.T) {
				t.Parallel()
				name := newFunction(t, rc.fail, 10)
				out, tail := invokeTail(t, c, name, rc.failPayload)
				id := requestIDOf(t, out)
				doc := requireUnhandled(t, out, tail)
				require.Equal(t, rc.failType, doc.ErrorType)
				require.Equal(t, rc.failMessage, doc.ErrorMessage)
				if doc.RequestID != nil {
					require.Equal(t, id, *doc.RequestID)
				}
				rc.failFrames(t, doc)
				requirePlatformLines(t, tail, id)
				want := []string{"START RequestId: " + id, "REPORT RequestId: " + id}
				if rc.failLog != "" {
					require.Contains(t, tail, rc.failLog)
					want = append(want, rc.failLog)
				}
				logMessages(t, srv, name, false, want...)

				// A handled failure leaves the environment in service: the next invocation is
				// warm (its REPORT has no Init Duration).
				out, tail = invokeTail(t, c, name, rc.failPayload)
				require.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
				require.Contains(t, tail, "REPORT RequestId: "+requestIDOf(t, out))
				require.NotContains(t, tail, "Init Duration")
			})

			t.Run("Timeout", func(t *testing.T) {
				t.Parallel()
				name := newFunction(t, rc.sleep, 1)
				out, tail := invokeTail(t, c, name, `{"seconds":30}`)
				id := requestIDOf(t, out)
				doc := requireUnhandled(t, out, tail)
				require.Equal(t, "Sandbox.Timedout", doc.ErrorType)
				require.Equal(t, "RequestId: "+id+" Error: Task timed out after 1.00 seconds", doc.ErrorMessage)
				requirePlatformLines(t, tail, id)
				require.Regexp(t, `REPORT RequestId: `+id+`\t.*\tStatus: timeout`, tail)
				// CloudWatch Logs gets the timeout line after REPORT, as AWS logs it.
				// (One runtime's logs are read with the AWS CLI, the others' with the SDK.)
				messages := logMessages(t, srv, name, rc.runtime == types.RuntimePython312, " "+id+" Task timed out after 1.00 seconds", "Status: timeout")
				require.Regexp(t, `(?m)^\S+Z `+id+` Task timed out after 1\.00 seconds$`, strings.Join(messages, "\n"))
			})

			t.Run("Crash", func(t *testing.T) {
				t.Parallel()
				name := newFunction(t, rc.crash, 10)
				out, tail := invokeTail(t, c, name, fmt.Sprintf(`{"code":%d}`, rc.crashStatus))
				id := requestIDOf(t, out)
				doc := requireUnhandled(t, out, tail)
				require.Equal(t, "Runtime.ExitError", doc.ErrorType)
				require.Equal(t, fmt.Sprintf("RequestId: %s Error: Runtime exited with error: exit status %d", id, rc.crashStatus), doc.ErrorMessage)
				require.Contains(t, tail, rc.crashOutput+"\n", "the function's output before the exit")
				requirePlatformLines(t, tail, id)
				require.Regexp(t, `REPORT RequestId: `+id+`\t.*\tStatus: error\tError Type: Runtime\.ExitError`, tail)
				logMessages(t, srv, name, rc.runtime == types.RuntimeProvidedal2023, rc.crashOutput, "Error Type: Runtime.ExitError")

				// The crashed runtime is replaced: the next invocation starts cold.
				out, tail = invokeTail(t, c, name, fmt.Sprintf(`{"code":%d}`, rc.crashStatus))
				require.Equal(t, "Runtime.ExitError", requireUnhandled(t, out, tail).ErrorType)
				require.Regexp(t, `REPORT RequestId: `+requestIDOf(t, out)+`	.*	Init Duration: \d+\.\d\d ms`, tail)
			})

			for _, ie := range rc.initErrors {
				t.Run("Init/"+ie.name, func(t *testing.T) {
					t.Parallel()
					name := newFunction(t, ie.handler, 10)
					out, tail := invokeTail(t, c, name, `{}`)
					id := requestIDOf(t, out)
					doc := requireUnhandled(t, out, tail)
					require.Equal(t, ie.errType, doc.ErrorType)
					require.True(t, strings.HasPrefix(doc.ErrorMessage, ie.messagePrefix), "errorMessage %q", doc.ErrorMessage)
					if rc.runtime == types.RuntimePython312 {
						require.NotNil(t, doc.RequestID)
						require.Empty(t, *doc.RequestID, "init errors carry an empty requestId")
						require.NotNil(t, doc.StackTrace)
					} else {
						require.NotEmpty(t, doc.Trace)
					}
					requirePlatformLines(t, tail, id)
					require.Regexp(t, `REPORT RequestId: `+id+`\t.*\tStatus: error\tError Type: `+regexp.QuoteMeta(ie.errType), tail)
					logMessages(t, srv, name, false, "INIT_REPORT Init Duration: ", ie.errType)
				})
			}
		})
	}
}

// TestGoMissingBootstrap deploys a provided.al2023 package without a bootstrap: AWS
// accepts it and fails its invocations with Runtime.InvalidEntrypoint.
func TestGoMissingBootstrap(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeProvidedal2023, Handler: aws.String("hello"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{"main.go": {data: []byte("package main\n")}})},
	})
	out, tail := invokeTail(t, c, name, `{}`)
	id := requestIDOf(t, out)
	doc := requireUnhandled(t, out, tail)
	require.Equal(t, "Runtime.InvalidEntrypoint", doc.ErrorType)
	require.True(t, strings.HasPrefix(doc.ErrorMessage, "RequestId: "+id+" Error: Couldn't find valid bootstrap(s): ["), doc.ErrorMessage)
	logMessages(t, srv, name, false, "Runtime.InvalidEntrypoint")
}

// sandboxCgroup reads the server's log for the cgroup version its environments get: ""
// when they run as plain processes; known is false when the log does not say (an external
// server, or the line left the log's tail).
func sandboxCgroup(srv *harness.Server) (cgroup string, known bool) {
	if srv.External() {
		return "", false
	}
	m := regexp.MustCompile(`msg="lambda sandbox".* cgroup=(\S*)`).FindStringSubmatch(srv.Log())
	if m == nil {
		return "", false
	}
	return strings.Trim(m[1], `"`), true
}

// TestFunctionOutOfMemory runs a Python function past its memory size: on hosts where
// Overcast puts environments in a memory cgroup, the kernel kills it and the invocation
// fails with Runtime.OutOfMemory.
func TestFunctionOutOfMemory(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("lambda_function.hog"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, pythonFunctionDir, nil)}, MemorySize: aws.Int32(128), Timeout: aws.Int32(30),
	})
	out, tail := invokeTail(t, c, name, `{"mb":512}`)
	cgroup, known := sandboxCgroup(srv)
	if out.FunctionError == nil {
		require.False(t, known && cgroup != "", "the server reports cgroup %s, yet a 128 MB function allocated 512 MB: %s", cgroup, out.Payload)
		t.Skipf("Overcast runs functions as plain processes on this host (no memory cgroup): memory is not enforced")
	}
	id := requestIDOf(t, out)
	doc := requireUnhandled(t, out, tail)
	require.Equal(t, "Runtime.OutOfMemory", doc.ErrorType)
	require.Equal(t, "RequestId: "+id+" Error: Runtime exited with error: signal: killed", doc.ErrorMessage)
	requirePlatformLines(t, tail, id)
	require.Regexp(t, `REPORT RequestId: `+id+`\t.*Memory Size: 128 MB\tMax Memory Used: 1[23]\d MB\t.*Status: error\tError Type: Runtime\.OutOfMemory`, tail)
	logMessages(t, srv, name, false, "Error Type: Runtime.OutOfMemory")
}

// TestLogTail checks LogType=Tail: the last 4 KB of the invocation's log, base64, ending
// with its REPORT line.
func TestLogTail(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("noisy.handler"),
		Code: &types.FunctionCode{ZipFile: zipTestdata(t, "noisy.py", "noisy.py")},
	})

	out, tail := invokeTail(t, c, name, `{"lines":1}`)
	require.Nil(t, out.FunctionError)
	id := requestIDOf(t, out)
	requirePlatformLines(t, tail, id)
	require.True(t, strings.HasPrefix(tail, "START RequestId: "+id), "a short log is whole:\n%s", tail)
	require.Contains(t, tail, "\nline 0000 ")
	require.Less(t, strings.Index(tail, "line 0000"), strings.Index(tail, "END RequestId: "))

	// 200 lines of 70 characters: only the end fits.
	out, tail = invokeTail(t, c, name, `{"lines":200}`)
	id = requestIDOf(t, out)
	require.Greater(t, len(tail), 4000, "the tail is the last 4 KB, not less")
	require.NotContains(t, tail, "START RequestId: ")
	require.NotContains(t, tail, "line 0000 ")
	require.Contains(t, tail, "line 0199 "+strings.Repeat("x", 60)+"\nEND RequestId: "+id+"\nREPORT RequestId: "+id)
	require.True(t, strings.HasSuffix(tail, "\n"), "the tail ends with the REPORT line")
	lastLine := tail[strings.LastIndex(tail[:len(tail)-1], "\n")+1:]
	require.True(t, strings.HasPrefix(lastLine, "REPORT RequestId: "+id+"\t"), "last line %q", lastLine)

	// Without LogType there is no LogResult.
	plain, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"lines":1}`)})
	require.NoError(t, err)
	require.Nil(t, plain.LogResult)

	// The AWS CLI prints the same tail.
	outFile := filepath.Join(t.TempDir(), "out.json")
	var res struct {
		StatusCode int
		LogResult  string
	}
	srv.MustAWS(t, &res, "lambda", "invoke", "--function-name", name, "--payload", `{"lines":3}`, "--log-type", "Tail", outFile)
	require.Equal(t, 200, res.StatusCode)
	cliTail, err := base64.StdEncoding.DecodeString(res.LogResult)
	require.NoError(t, err)
	require.Regexp(t, `(?s)^START RequestId: \S+ Version: \$LATEST\nline 0000 x+\nline 0001 x+\nline 0002 x+\nEND RequestId: \S+\nREPORT RequestId: `, string(cliTail))
	body, err := os.ReadFile(outFile)
	require.NoError(t, err)
	var payload map[string]int
	require.NoError(t, json.Unmarshal(body, &payload))
	require.Equal(t, map[string]int{"lines": 3}, payload)
}

// TestCLIFunctionErrorAndLogs invokes a failing Node.js function with the AWS CLI: invoke
// prints FunctionError and writes the error document; get-log-events shows the log.
func TestCLIFunctionErrorAndLogs(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	dir := t.TempDir()
	createFunction(t, client(srv), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimeNodejs20x, Handler: aws.String("index.fail"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, nodeFunctionDir, nil)}, Timeout: aws.Int32(5),
	})
	outFile := filepath.Join(dir, "out.json")
	var res struct {
		StatusCode      int
		FunctionError   string
		ExecutedVersion string
	}
	srv.MustAWS(t, &res, "lambda", "invoke", "--function-name", name, "--payload", `{"why":"cli"}`, outFile)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "Unhandled", res.FunctionError)
	require.Equal(t, "$LATEST", res.ExecutedVersion)
	body, err := os.ReadFile(outFile)
	require.NoError(t, err)
	var doc functionErrorDoc
	require.NoError(t, json.Unmarshal(body, &doc))
	require.Equal(t, "CustomError", doc.ErrorType)
	require.Equal(t, "boom: cli", doc.ErrorMessage)

	// The log reaches CloudWatch Logs shortly after the answer.
	logMessages(t, srv, name, false, "REPORT RequestId: ")
	var streams struct {
		LogStreams []struct{ LogStreamName string }
	}
	srv.MustAWS(t, &streams, "logs", "describe-log-streams", "--log-group-name", "/aws/lambda/"+name)
	require.Len(t, streams.LogStreams, 1)
	require.Regexp(t, `^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`, streams.LogStreams[0].LogStreamName)
	var events struct {
		Events []struct{ Message string }
	}
	srv.MustAWS(t, &events, "logs", "get-log-events", "--log-group-name", "/aws/lambda/"+name,
		"--log-stream-name", streams.LogStreams[0].LogStreamName, "--start-from-head")
	var messages []string
	for _, e := range events.Events {
		messages = append(messages, e.Message)
	}
	joined := strings.Join(messages, "\n")
	require.Regexp(t, `(?m)^START RequestId: \S+ Version: \$LATEST$`, joined)
	require.Regexp(t, `(?m)^\S+Z\t\S+\tERROR\tInvoke Error \t\{"errorType":"CustomError","errorMessage":"boom: cli"`, joined)
	require.Regexp(t, `(?m)^END RequestId: \S+$`, joined)
	require.Regexp(t, `(?m)^REPORT RequestId: \S+\tDuration: `, joined)

	// filter-log-events with a term finds the error line only.
	var filtered struct {
		Events []struct{ Message string }
	}
	srv.MustAWS(t, &filtered, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/"+name, "--filter-pattern", `"Invoke Error"`)
	require.Len(t, filtered.Events, 1)
	require.Contains(t, filtered.Events[0].Message, "boom: cli")
}
