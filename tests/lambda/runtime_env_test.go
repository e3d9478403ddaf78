package lambda_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

// introspectionPython and introspectionNode return what a function sees of itself: its
// environment, its context object and the client context it was given.
const (
	introspectionPython = `import os, sys

def handler(event, context):
    cc = context.client_context
    return {
        "environment": dict(os.environ),
        "ctx": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_time_in_millis": context.get_remaining_time_in_millis(),
        },
        "client_context": None if cc is None else {"custom": cc.custom, "env": cc.env},
        "sys_path": sys.path,
    }
`
	introspectionNode = `exports.handler = async function (event, context) {
  return {
    environment: process.env,
    ctx: {
      function_name: context.functionName,
      function_version: context.functionVersion,
      invoked_function_arn: context.invokedFunctionArn,
      memory_limit_in_mb: context.memoryLimitInMB,
      aws_request_id: context.awsRequestId,
      log_group_name: context.logGroupName,
      log_stream_name: context.logStreamName,
      remaining_time_in_millis: context.getRemainingTimeInMillis(),
    },
    client_context: context.clientContext === undefined ? null : context.clientContext,
  };
};
`
)

// introspectionRuntime is a runtime with its introspection function.
type introspectionRuntime struct {
	runtime       types.Runtime
	handler, file string
	source        string
}

var introspectionRuntimes = []introspectionRuntime{
	{types.RuntimePython312, "handler.handler", "handler.py", introspectionPython},
	{types.RuntimeNodejs20x, "index.handler", "index.js", introspectionNode},
}

// create creates the runtime's introspection function, with in's other settings.
func (ir introspectionRuntime) create(t *testing.T, c *lambda.Client, in *lambda.CreateFunctionInput) string {
	t.Helper()
	name := uniqueName(t)
	in.FunctionName, in.Runtime, in.Handler = aws.String(name), ir.runtime, aws.String(ir.handler)
	in.Code = &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{ir.file: {data: []byte(ir.source)}})}
	createFunction(t, c, in)
	return name
}

// introspection is the document the introspection functions return.
type introspection struct {
	Environment   map[string]string `json:"environment"`
	Ctx           map[string]any    `json:"ctx"`
	ClientContext map[string]any    `json:"client_context"`
	SysPath       []string          `json:"sys_path"`
}

// TestRuntimeIntrospection checks the environment variables and context object a Python
// and a Node.js function see, against those AWS's runtimes give (MemorySize 1024, an
// environment variable TEST_KEY=TEST_VAL, invoked unqualified and as :$LATEST).
func TestRuntimeIntrospection(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	for _, tc := range introspectionRuntimes {
		t.Run(string(tc.runtime), func(t *testing.T) {
			t.Parallel()
			name := tc.create(t, c, &lambda.CreateFunctionInput{
				MemorySize:  aws.Int32(1024),
				Environment: &types.Environment{Variables: map[string]string{"TEST_KEY": "TEST_VAL"}},
			})
			arn := "arn:aws:lambda:us-east-1:" + defaultAccount + ":function:" + name
			for _, qualified := range []bool{false, true} {
				in := &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)}
				wantARN := arn
				if qualified {
					in.Qualifier = aws.String("$LATEST")
					wantARN += ":$LATEST"
				}
				out, err := c.Invoke(t.Context(), in)
				require.NoError(t, err)
				require.Nil(t, out.FunctionError, "payload %s", out.Payload)
				var got introspection
				require.NoError(t, json.Unmarshal(out.Payload, &got), "payload %s", out.Payload)
				env := got.Environment

				// AWS answers these values whatever the runtime.
				for k, v := range map[string]string{
					"TEST_KEY":                        "TEST_VAL",
					"AWS_EXECUTION_ENV":               "AWS_Lambda_" + string(tc.runtime),
					"AWS_LAMBDA_FUNCTION_NAME":        name,
					"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
					"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
					"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
					"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + name,
					"AWS_REGION":                      "us-east-1",
					"AWS_DEFAULT_REGION":              "us-east-1",
					"AWS_XRAY_CONTEXT_MISSING":        "LOG_ERROR",
					"AWS_XRAY_DAEMON_ADDRESS":         "169.254.79.129:2000",
					"_AWS_XRAY_DAEMON_ADDRESS":        "169.254.79.129",
					"_AWS_XRAY_DAEMON_PORT":           "2000",
					"_HANDLER":                        tc.handler,
					"LANG":                            "en_US.UTF-8",
					"TZ":                              ":UTC",
					"SHLVL":                           "0",
				} {
					require.Equal(t, v, env[k], "environment variable %s", k)
				}
				for _, k := range []string{"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"} {
					require.NotEmpty(t, env[k], "environment variable %s", k)
				}
				require.Equal(t, env["LAMBDA_TASK_ROOT"], env["PWD"], "the runtime starts in the task root")
				if env["LAMBDA_TASK_ROOT"] == "/var/task" {
					// With the code at AWS's paths the layout is AWS's: no TMPDIR, and
					// Python's PYTHONPATH is the runtime directory, the layers' directories
					// coming first on sys.path.
					require.NotContains(t, env, "TMPDIR")
					if tc.runtime == types.RuntimePython312 {
						require.Equal(t, "/var/runtime", env["PYTHONPATH"])
						require.GreaterOrEqual(t, len(got.SysPath), 4)
						require.Equal(t, []string{"/var/task", "/opt/python/lib/python3.12/site-packages", "/opt/python", "/var/runtime"}, got.SysPath[:4])
					}
				}

				ctx := got.Ctx
				require.Equal(t, name, ctx["function_name"])
				require.Equal(t, "$LATEST", ctx["function_version"])
				require.Equal(t, wantARN, ctx["invoked_function_arn"])
				require.Equal(t, "1024", ctx["memory_limit_in_mb"], "the context's memory limit is a string")
				require.Equal(t, "/aws/lambda/"+name, ctx["log_group_name"])
				require.Equal(t, env["AWS_LAMBDA_LOG_STREAM_NAME"], ctx["log_stream_name"])
				require.NotEmpty(t, ctx["aws_request_id"])
				remaining, ok := ctx["remaining_time_in_millis"].(float64)
				require.True(t, ok && remaining > 0 && remaining <= 3000, "remaining time %v", ctx["remaining_time_in_millis"])
				require.Nil(t, got.ClientContext, "no client context without X-Amz-Client-Context")
			}
		})
	}
}

// TestInvokeClientContext passes a client context: AWS decodes the base64 and hands the
// function the JSON document; anything that is not base64 of a JSON object is refused
// with InvalidRequestContentException.
func TestInvokeClientContext(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	for _, tc := range introspectionRuntimes {
		t.Run(string(tc.runtime), func(t *testing.T) {
			t.Parallel()
			name := tc.create(t, c, &lambda.CreateFunctionInput{})
			cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"foo":"bar"},"env":{"locale":"en"}}`))
			out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`), ClientContext: aws.String(cc)})
			require.NoError(t, err)
			require.Nil(t, out.FunctionError, "payload %s", out.Payload)
			var got introspection
			require.NoError(t, json.Unmarshal(out.Payload, &got), "payload %s", out.Payload)
			require.Equal(t, map[string]any{"foo": "bar"}, got.ClientContext["custom"])
			require.Equal(t, map[string]any{"locale": "en"}, got.ClientContext["env"])

			for _, bad := range []string{"string", "not base64!", base64.StdEncoding.EncodeToString([]byte("hello")), base64.StdEncoding.EncodeToString([]byte(`[1]`))} {
				_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`), ClientContext: aws.String(bad)})
				ae := requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)
				require.Equal(t, "Client context must be a valid Base64-encoded JSON object.", ae.ErrorMessage(), "client context %q", bad)
			}
		})
	}
}

// TestNodeImportModuleErrorRequireStack checks the message of a Node.js function whose
// handler module is missing: AWS's runtime requires the function's code from
// /var/runtime/index.mjs, which the message's require stack names.
func TestNodeImportModuleErrorRequireStack(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	for _, tc := range []struct {
		name, handler, source string
		stack                 []string
	}{
		{"missing-module", "missing.handler", `exports.handler = async () => 1;`, nil},
		{"missing-dependency", "index.handler", `require('nope'); exports.handler = async () => 1;`, []string{"/index.js"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := uniqueName(t)
			createFunction(t, c, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: types.RuntimeNodejs20x, Handler: aws.String(tc.handler),
				Code: &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{"index.js": {data: []byte(tc.source)}})},
			})
			out, tail := invokeTail(t, c, name, `{}`)
			doc := requireUnhandled(t, out, tail)
			require.Equal(t, "Runtime.ImportModuleError", doc.ErrorType)
			module := strings.SplitN(tc.handler, ".", 2)[0]
			if tc.stack != nil {
				module = "nope"
			}
			lines := strings.Split(doc.ErrorMessage, "\n")
			require.Equal(t, "Error: Cannot find module '"+module+"'", lines[0], "errorMessage %q", doc.ErrorMessage)
			require.Equal(t, "Require stack:", lines[1], "errorMessage %q", doc.ErrorMessage)
			// The task root and runtime directory are /var/task and /var/runtime in an
			// isolated sandbox, elsewhere without one.
			require.Len(t, lines, 3+len(tc.stack), "errorMessage %q", doc.ErrorMessage)
			for i, suffix := range tc.stack {
				require.True(t, strings.HasPrefix(lines[2+i], "- ") && strings.HasSuffix(lines[2+i], suffix), "errorMessage %q", doc.ErrorMessage)
			}
			last := lines[len(lines)-1]
			require.True(t, strings.HasPrefix(last, "- ") && strings.HasSuffix(last, "/index.mjs"), "errorMessage %q", doc.ErrorMessage)
			require.Equal(t, "Runtime.ImportModuleError: "+lines[0], doc.Trace[0])
		})
	}
}

// TestFunctionLogLineFormat checks the function's log events in CloudWatch Logs as AWS
// records them: every message ends with its newline, a REPORT line's metrics each end
// with a tab (so a successful invocation's line ends "\t\n"), and a timeout's REPORT ends
// with "Status: timeout", without an error type.
func TestFunctionLogLineFormat(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	name := uniqueName(t)
	source := "import time\n\ndef handler(event, context):\n    print('multi\\nline\\nstring')\n    print('another\\rline')\n    time.sleep(event.get('sleep', 0))\n    return 'ok'\n"
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython313, Handler: aws.String("handler.handler"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{"handler.py": {data: []byte(source)}})}, Timeout: aws.Int32(1),
	})
	out, tail := invokeTail(t, c, name, `{}`)
	require.Nil(t, out.FunctionError)
	id := requestIDOf(t, out)
	require.Regexp(t, `(?m)^REPORT RequestId: `+id+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$`, tail)

	out, tail = invokeTail(t, c, name, `{"sleep": 3}`)
	require.Equal(t, "Sandbox.Timedout", requireUnhandled(t, out, tail).ErrorType)
	timedOut := requestIDOf(t, out)

	messages := logMessages(t, srv, name, false, "REPORT RequestId: "+id, "REPORT RequestId: "+timedOut)
	for _, want := range []string{"START RequestId: " + id + " Version: $LATEST\n", "multi\n", "line\n", "string\n", "another\rline\n", "END RequestId: " + id + "\n"} {
		require.Contains(t, messages, want)
	}
	for _, m := range messages {
		require.True(t, strings.HasSuffix(m, "\n"), "message %q", m)
		switch {
		case strings.HasPrefix(m, "REPORT RequestId: "+id):
			require.Regexp(t, `^REPORT RequestId: `+id+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$`, m)
		case strings.HasPrefix(m, "REPORT RequestId: "+timedOut):
			require.Regexp(t, `^REPORT RequestId: `+timedOut+`\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout\n$`, m)
		}
	}
}

// TestPythonStartupAndExitErrors checks the answers AWS records for Python functions that
// fail at startup or exit: an exception while importing the module (the error document
// has the empty requestId of an init error and the import frames), sys.exit(0) during
// init or in the handler, a handler's exception, and an AWS_LAMBDA_EXEC_WRAPPER that does
// not exist (the runtime's start script exits 127).
func TestPythonStartupAndExitErrors(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	for _, tc := range []struct {
		name, source, wrapper string
		errType, message      string
		initError             bool
	}{
		{"ModuleRaises", "raise Exception(\"Runtime startup fails\")\n\n\ndef handler(event, context):\n    pass\n", "",
			"Exception", "Runtime startup fails", true},
		{"ModuleExits", "import sys\n\nsys.exit(0)\n", "",
			"Runtime.ExitError", "Error: Runtime exited without providing a reason", false},
		{"HandlerExits", "import sys\n\n\ndef handler(event, context):\n    sys.exit(0)\n", "",
			"Runtime.ExitError", "Error: Runtime exited without providing a reason", false},
		{"HandlerRaises", "def handler(event, context):\n    raise Exception(\"Handler fails\")\n", "",
			"Exception", "Handler fails", false},
		{"WrapperNotFound", "def handler(event, context):\n    return event\n", "/idontexist.sh",
			"Runtime.ExitError", "Error: Runtime exited with error: exit status 127", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := uniqueName(t)
			in := &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("handler.handler"),
				Code: &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{"handler.py": {data: []byte(tc.source)}})},
			}
			if tc.wrapper != "" {
				in.Environment = &types.Environment{Variables: map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": tc.wrapper}}
			}
			createFunction(t, c, in)
			out, tail := invokeTail(t, c, name, `{}`)
			require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
			doc := requireUnhandled(t, out, tail)
			require.Equal(t, tc.errType, doc.ErrorType)
			id := requestIDOf(t, out)
			switch {
			case strings.HasPrefix(tc.errType, "Runtime."):
				// The platform's documents: the message names the request, no more fields.
				require.Equal(t, "RequestId: "+id+" "+tc.message, doc.ErrorMessage)
				require.Nil(t, doc.RequestID)
				require.Nil(t, doc.StackTrace)
			case tc.initError:
				require.Equal(t, tc.message, doc.ErrorMessage)
				require.NotNil(t, doc.RequestID)
				require.Empty(t, *doc.RequestID, "an init error's requestId is empty")
				require.NotEmpty(t, doc.StackTrace)
				require.Regexp(t, `^  File ".*/importlib/__init__\.py", line \d+, in import_module\n`, doc.StackTrace[0])
				require.Regexp(t, `^  File "/var/task/handler\.py", line 1, in <module>\n    raise Exception\("Runtime startup fails"\)\n$`, doc.StackTrace[len(doc.StackTrace)-1])
			default:
				require.Equal(t, tc.message, doc.ErrorMessage)
				require.NotNil(t, doc.RequestID)
				require.Equal(t, id, *doc.RequestID)
				require.Equal(t, []string{"  File \"/var/task/handler.py\", line 2, in handler\n    raise Exception(\"Handler fails\")\n"}, doc.StackTrace)
			}
		})
	}
}

// TestInvokeMissingFunction invokes a function that does not exist: unqualified, AWS
// names it by its $LATEST ARN.
func TestInvokeMissingFunction(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	arn := "arn:aws:lambda:us-east-1:" + defaultAccount + ":function:" + name
	for _, typ := range []types.InvocationType{types.InvocationTypeRequestResponse, types.InvocationTypeEvent, types.InvocationTypeDryRun} {
		_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: typ})
		ae := requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
		require.Equal(t, "Function not found: "+arn+":$LATEST", ae.ErrorMessage(), "invocation type %s", typ)
	}
	_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("3")})
	ae := requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	require.Equal(t, "Function not found: "+arn+":3", ae.ErrorMessage())
}

// TestInvokePayloadEncodingError sends the payloads AWS CLI v2 produces from a text
// --payload without --cli-binary-format raw-in-base64-out: AWS refuses them with its JSON
// parser's message.
func TestInvokePayloadEncodingError(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	const src = "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
	for _, tc := range []struct{ payload, message string }{
		{"n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt", "Invalid UTF-8 start byte 0x87" + src + "line: 1, column: 3]"},
		{"\x99\xeb,j\x07\xa1zYh", "Unexpected character ((CTRL-CHAR, code 153)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')" + src + "line: 1, column: 1]"},
	} {
		_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(tc.payload)})
		badCase{code: "InvalidRequestContentException", status: 400,
			message: "Could not parse request body into json: Could not parse payload into json: " + tc.message}.requireAnswer(t, err)
	}
}
