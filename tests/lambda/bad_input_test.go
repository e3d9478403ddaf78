package lambda_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// badCase is one request Lambda refuses, with AWS's answer.
type badCase struct {
	name    string
	mod     func(in *lambda.CreateFunctionInput)
	code    string
	status  int
	message string // exact message, or prefix when prefix is set
	prefix  bool
}

// requireAnswer checks err against the case's expected answer.
func (bc badCase) requireAnswer(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err, "want %s", bc.code)
	got := apiError(t, err)
	require.Equal(t, bc.code, got.code, "message %q", got.message)
	require.Equal(t, bc.status, got.status)
	if bc.prefix {
		require.True(t, strings.HasPrefix(got.message, bc.message), "message %q, want prefix %q", got.message, bc.message)
	} else {
		require.Equal(t, bc.message, got.message)
	}
}

func validation(value, member, constraint string) string {
	return "1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + constraint
}

func ephemeral(mb int32) func(*lambda.CreateFunctionInput) {
	return func(in *lambda.CreateFunctionInput) {
		in.EphemeralStorage = &types.EphemeralStorage{Size: aws.Int32(mb)}
	}
}

func environment(vars map[string]string) func(*lambda.CreateFunctionInput) {
	return func(in *lambda.CreateFunctionInput) { in.Environment = &types.Environment{Variables: vars} }
}

// TestCreateFunctionBadInput sends CreateFunction requests AWS refuses and checks that the
// error is AWS's and that no function was created.
func TestCreateFunctionBadInput(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	good := zipDir(t, pythonFunctionDir, nil)
	bigEnv := map[string]string{"BIG": strings.Repeat("x", 4100)}
	cases := []badCase{
		{name: "MalformedZip", mod: func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = []byte("PK\x03\x04 this is not a zip") },
			code: "InvalidParameterValueException", status: 400, message: "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{name: "NotAZip", mod: func(in *lambda.CreateFunctionInput) { in.Code.ZipFile = []byte("def handler(e, c): pass\n") },
			code: "InvalidParameterValueException", status: 400, message: "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{name: "HandlerWithSpace", mod: func(in *lambda.CreateFunctionInput) { in.Handler = aws.String("lambda_function hello") },
			code: "ValidationException", status: 400, message: validation("lambda_function hello", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{name: "HandlerEmpty", mod: func(in *lambda.CreateFunctionInput) { in.Handler = aws.String("") },
			code: "ValidationException", status: 400, message: validation("", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{name: "HandlerTooLong", mod: func(in *lambda.CreateFunctionInput) { in.Handler = aws.String("m." + strings.Repeat("h", 127)) },
			code: "ValidationException", status: 400, message: validation("m."+strings.Repeat("h", 127), "handler", "Member must have length less than or equal to 128")},
		// AWS answers a runtime outside the enum in words of its own, not the model's.
		{name: "UnknownRuntime", mod: func(in *lambda.CreateFunctionInput) { in.Runtime = "cobol85" },
			code: "InvalidParameterValueException", status: 400, prefix: true,
			message: "Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{name: "UppercaseRuntime", mod: func(in *lambda.CreateFunctionInput) { in.Runtime = "PYTHON3.12" },
			code: "InvalidParameterValueException", status: 400, prefix: true,
			message: "Value PYTHON3.12 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{name: "UppercaseArchitecture", mod: func(in *lambda.CreateFunctionInput) { in.Architectures = []types.Architecture{"X86_64"} },
			code: "ValidationException", status: 400,
			message: validation("[X86_64]", "architectures", "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]")},
		{name: "DeprecatedRuntime", mod: func(in *lambda.CreateFunctionInput) { in.Runtime = types.RuntimePython27 },
			code: "InvalidParameterValueException", status: 400,
			message: "The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."},
		{name: "Memory127", mod: func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(127) },
			code: "ValidationException", status: 400, message: validation("127", "memorySize", "Member must have value greater than or equal to 128")},
		{name: "Memory10241", mod: func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(10241) },
			code: "ValidationException", status: 400, message: validation("10241", "memorySize", "Member must have value less than or equal to 10240")},
		{name: "Timeout0", mod: func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(0) },
			code: "ValidationException", status: 400, message: validation("0", "timeout", "Member must have value greater than or equal to 1")},
		{name: "Timeout901", mod: func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(901) },
			code: "ValidationException", status: 400, message: validation("901", "timeout", "Member must have value less than or equal to 900")},
		{name: "EphemeralStorage511", mod: ephemeral(511),
			code: "ValidationException", status: 400, message: validation("511", "ephemeralStorage.size", "Member must have value greater than or equal to 512")},
		{name: "EphemeralStorage10241", mod: ephemeral(10241),
			code: "ValidationException", status: 400, message: validation("10241", "ephemeralStorage.size", "Member must have value less than or equal to 10240")},
		{name: "EnvironmentOver4KB", mod: environment(bigEnv),
			code: "InvalidParameterValueException", status: 400, prefix: true,
			message: "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {\"BIG\":\"xxx"},
		{name: "ReservedEnvironmentKey", mod: environment(map[string]string{"AWS_REGION": "eu-west-1"}),
			code: "InvalidParameterValueException", status: 400,
			message: "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
	}
	for _, bc := range cases {
		t.Run(bc.name, func(t *testing.T) {
			t.Parallel()
			name := uniqueName(t)
			in := &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
				Handler: aws.String("lambda_function.hello"), Code: &types.FunctionCode{ZipFile: good},
			}
			bc.mod(in)
			_, err := c.CreateFunction(t.Context(), in)
			// Nothing is created, whatever the answer.
			_, getErr := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
			requireError[*types.ResourceNotFoundException](t, getErr, "ResourceNotFoundException", 404)
			bc.requireAnswer(t, err)
		})
	}
}

// TestCreateFunctionOversizeCode sends packages over the direct-upload limits: 50 MB
// zipped (the request is refused before Lambda reads it) and 250 MB unzipped.
func TestCreateFunctionOversizeCode(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))

	t.Run("Zipped", func(t *testing.T) {
		t.Parallel()
		name := uniqueName(t)
		big := make([]byte, 51<<20)
		_, _ = rand.Read(big)
		_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
			Handler: aws.String("lambda_function.hello"), Code: &types.FunctionCode{ZipFile: big},
		})
		_, getErr := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		requireError[*types.ResourceNotFoundException](t, getErr, "ResourceNotFoundException", 404)
		badCase{code: "RequestEntityTooLargeException", status: 413,
			message: "Request must be smaller than 70167211 bytes for the CreateFunction operation",
		}.requireAnswer(t, err)
	})

	t.Run("Unzipped", func(t *testing.T) {
		t.Parallel()
		name := uniqueName(t)
		// 251 MB of zeros compress to a quarter of a megabyte.
		code := zipDir(t, "", map[string]zipEntry{
			"lambda_function.py": {data: []byte("def hello(e, c):\n    return 1\n")},
			"padding.bin":        {data: make([]byte, 251<<20)},
		})
		require.Less(t, len(code), 1<<20)
		_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
			Handler: aws.String("lambda_function.hello"), Code: &types.FunctionCode{ZipFile: code},
		})
		ae := requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
		require.Equal(t, "Unzipped size must be smaller than 262144000 bytes", ae.ErrorMessage())
		_, err = c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	})
}

// TestUpdateFunctionBadInput checks that refused updates leave the function as it was.
func TestUpdateFunctionBadInput(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("lambda_function.hello"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, pythonFunctionDir, nil)}, MemorySize: aws.Int32(256), Timeout: aws.Int32(5),
	})
	before, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	require.NoError(t, err)

	for _, in := range []*lambda.UpdateFunctionConfigurationInput{
		{MemorySize: aws.Int32(127)},
		{MemorySize: aws.Int32(10241)},
		{Timeout: aws.Int32(0)},
		{Timeout: aws.Int32(901)},
		{EphemeralStorage: &types.EphemeralStorage{Size: aws.Int32(511)}},
		{Handler: aws.String("bad handler")},
		{Runtime: "cobol85"},
		{Environment: &types.Environment{Variables: map[string]string{"BIG": strings.Repeat("y", 4100)}}},
	} {
		in.FunctionName = aws.String(name)
		_, err := c.UpdateFunctionConfiguration(ctx, in)
		require.Error(t, err)
		ae := apiError(t, err)
		require.Contains(t, []string{"ValidationException", "InvalidParameterValueException"}, ae.code, ae.message)
		require.Equal(t, 400, ae.status)
	}
	_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: []byte("not a zip")})
	ae := requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	require.Equal(t, "Could not unzip uploaded file. Please check your file, then try to upload again.", ae.ErrorMessage())

	after, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(before.RevisionId), aws.ToString(after.RevisionId), "a refused update changes nothing")
	require.Equal(t, aws.ToString(before.CodeSha256), aws.ToString(after.CodeSha256))
	require.Equal(t, int32(256), aws.ToInt32(after.MemorySize))
	require.Equal(t, int32(5), aws.ToInt32(after.Timeout))
	require.Equal(t, "lambda_function.hello", aws.ToString(after.Handler))
	require.Nil(t, after.Environment)

	// UpdateFunctionCode names itself in the size error.
	t.Run("OversizeZip", func(t *testing.T) {
		big := make([]byte, 51<<20)
		_, _ = rand.Read(big)
		_, err := c.UpdateFunctionCode(t.Context(), &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: big})
		after, getErr := c.GetFunctionConfiguration(t.Context(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		require.NoError(t, getErr)
		require.Equal(t, aws.ToString(before.CodeSha256), aws.ToString(after.CodeSha256))
		badCase{code: "RequestEntityTooLargeException", status: 413,
			message: "Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation",
		}.requireAnswer(t, err)
	})
}

// TestZipWithoutHandlerFile deploys packages that lack the handler's file: AWS accepts them
// and fails each invocation's init.
func TestZipWithoutHandlerFile(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	other := zipDir(t, "", map[string]zipEntry{"other.py": {data: []byte("X = 1\n")}, "other.js": {data: []byte("exports.x = 1;\n")}})
	for _, tc := range []struct {
		runtime                 types.Runtime
		handler, errType, start string
	}{
		{types.RuntimePython312, "lambda_function.handler", "Runtime.ImportModuleError", "Unable to import module 'lambda_function': No module named 'lambda_function'"},
		{types.RuntimeNodejs22x, "index.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'index'"},
	} {
		t.Run(string(tc.runtime), func(t *testing.T) {
			t.Parallel()
			name := uniqueName(t)
			createFunction(t, c, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: tc.runtime, Handler: aws.String(tc.handler),
				Code: &types.FunctionCode{ZipFile: other},
			})
			out, tail := invokeTail(t, c, name, `{}`)
			doc := requireUnhandled(t, out, tail)
			require.Equal(t, tc.errType, doc.ErrorType)
			require.True(t, strings.HasPrefix(doc.ErrorMessage, tc.start), "errorMessage %q", doc.ErrorMessage)
			// The failed init ran within the invocation: its log is part of the tail.
			require.Contains(t, tail, tc.start)
			require.Contains(t, tail, "INIT_REPORT Init Duration: ")
			logMessages(t, srv, name, false, tc.errType)
		})
	}
}

// TestInvokeBadInput checks Invoke's refusals through aws-sdk-go-v2.
func TestInvokeBadInput(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	arn := "arn:aws:lambda:us-east-1:" + defaultAccount + ":function:" + name

	_, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte("not json")})
	ae := requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)
	require.True(t, strings.HasPrefix(ae.ErrorMessage(), "Could not parse request body into json: "), ae.ErrorMessage())
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent, Payload: []byte("{oops")})
	requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)

	// 6 MB synchronous, 1 MB asynchronous: one byte more is refused. AWS answers
	// RequestEntityTooLargeException, not the modeled RequestTooLargeException, so SDKs
	// see an unmodeled error.
	jsonString := func(n int) []byte { return append(append([]byte(`"`), bytes.Repeat([]byte("x"), n-2)...), '"') }
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: jsonString(6*1024*1024 + 1)})
	badCase{code: "RequestEntityTooLargeException", status: 413,
		message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation"}.requireAnswer(t, err)
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent, Payload: jsonString(1024*1024 + 1)})
	badCase{code: "RequestEntityTooLargeException", status: 413,
		message: "Request must be smaller than 1048576 bytes for the InvokeFunction operation"}.requireAnswer(t, err)
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent, Payload: jsonString(1024 * 1024)})
	require.NoError(t, err, "exactly 1 MB is accepted")
	require.Equal(t, int32(202), out.StatusCode)

	// Qualifiers that do not exist.
	for _, q := range []string{"7", "nope"} {
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String(q), Payload: []byte(`{}`)})
		ae = requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
		require.Equal(t, "Function not found: "+arn+":"+q, ae.ErrorMessage())
		_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name + ":" + q), Payload: []byte(`{}`)})
		requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name + ":1"), Qualifier: aws.String("2"), Payload: []byte(`{}`)})
	ae = requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	require.Equal(t, "The derived qualifier from the function name does not match the specified qualifier.", ae.ErrorMessage())

	// DryRun checks the function and runs nothing.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeDryRun})
	require.NoError(t, err)
	require.Equal(t, int32(204), out.StatusCode)
	require.Empty(t, out.Payload)
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("9"), InvocationType: types.InvocationTypeDryRun})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	// The function still serves.
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"ok":1}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, "%s", out.Payload)
}

// TestBadInputCLI sends bad input with the AWS CLI, which prints AWS's error code and
// message on stderr and exits non-zero.
func TestBadInputCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "fn.zip")
	require.NoError(t, os.WriteFile(zipPath, handlerZip(t), 0o600))
	create := func(args ...string) []string {
		return append([]string{"lambda", "create-function", "--function-name", name, "--role", role, "--zip-file", "fileb://" + zipPath}, args...)
	}
	for _, tc := range []struct {
		args          []string
		code, message string
	}{
		{create("--runtime", "cobol85", "--handler", "app.handler"), "InvalidParameterValueException",
			"Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{create("--runtime", "python3.12", "--handler", "app.handler", "--environment", "Variables={BIG="+strings.Repeat("z", 4100)+"}"), "InvalidParameterValueException",
			"Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit."},
	} {
		requireCLIError(t, srv.AWS(t, tc.args...), tc.code, "CreateFunction", tc.message)
	}
	// The CLI itself refuses values under the model's minimum, before sending anything.
	r := srv.AWS(t, create("--runtime", "python3.12", "--handler", "app.handler", "--memory-size", "127")...)
	require.NotEqual(t, 0, r.ExitCode, r.Stderr)
	require.Contains(t, r.Stderr, "Invalid value for parameter MemorySize, value: 127, valid min value: 128")
	c := client(srv)
	_, err := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	outFile := filepath.Join(dir, "out.json")
	requireCLIError(t, srv.AWS(t, "lambda", "invoke", "--function-name", name, "--payload", "{oops", outFile),
		"InvalidRequestContentException", "Invoke", "Could not parse request body into json")
	requireCLIError(t, srv.AWS(t, "lambda", "invoke", "--function-name", name, "--qualifier", "42", "--payload", "{}", outFile),
		"ResourceNotFoundException", "Invoke", "Function not found: arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name+":42")
	var dry struct{ StatusCode int }
	srv.MustAWS(t, &dry, "lambda", "invoke", "--function-name", name, "--invocation-type", "DryRun", outFile)
	require.Equal(t, 204, dry.StatusCode)
}

// requireCLIError checks that the AWS CLI failed with the service's error code and
// message, as it prints them on stderr.
func requireCLIError(t *testing.T, r harness.CLIResult, code, operation, message string) {
	t.Helper()
	require.NotEqual(t, 0, r.ExitCode, "aws %s succeeded", strings.Join(r.Args, " "))
	require.Contains(t, r.Stderr, "An error occurred ("+code+") when calling the "+operation+" operation")
	require.Contains(t, r.Stderr, message)
}

// TestBadInputBoto3 runs testdata/boto3_bad_input.py: requests boto3 would refuse itself,
// sent with its parameter validation off.
func TestBadInputBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_bad_input.py", uniqueName(t), filepath.Join(pythonFunctionDir, "lambda_function.py"))
	require.Contains(t, out, "ok")
}
