package lambda_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// levelWithText is AWS's message for a log level on a function whose log format is Text.
const levelWithText = `LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.`

// TestLoggingConfigBoto3 drives LoggingConfig through boto3: AWS's default, its error for
// a level with the Text format, JSON with a custom log group and the JSON records that
// group then holds (GetLogEvents).
func TestLoggingConfigBoto3(t *testing.T) {
	t.Parallel()
	out := sharedServer(t).Python(t, "testdata/boto3_logging.py", uniqueName(t))
	require.Contains(t, out, "ok")
}

// TestLoggingConfig checks LoggingConfig on CreateFunction, UpdateFunctionConfiguration
// and GetFunctionConfiguration as AWS answers them.
func TestLoggingConfig(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: handlerZip(t)}, Role: aws.String(role),
		LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatText, SystemLogLevel: types.SystemLogLevelInfo},
	}
	_, err := c.CreateFunction(t.Context(), in)
	ae := requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	require.Equal(t, levelWithText, ae.ErrorMessage())

	in.LoggingConfig = &types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelWarn}
	createFunction(t, c, in)
	got, err := c.GetFunctionConfiguration(t.Context(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.LogFormatJson, got.LoggingConfig.LogFormat)
	require.Equal(t, types.ApplicationLogLevelWarn, got.LoggingConfig.ApplicationLogLevel)
	require.Equal(t, types.SystemLogLevelInfo, got.LoggingConfig.SystemLogLevel, "AWS defaults the other level to INFO")
	require.Equal(t, "/aws/lambda/"+name, aws.ToString(got.LoggingConfig.LogGroup))

	// Back to Text: the levels go.
	up, err := c.UpdateFunctionConfiguration(t.Context(), &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatText},
	})
	require.NoError(t, err)
	require.Equal(t, types.LogFormatText, up.LoggingConfig.LogFormat)
	require.Empty(t, up.LoggingConfig.ApplicationLogLevel)
	require.Empty(t, up.LoggingConfig.SystemLogLevel)

	// The model's own constraints.
	_, err = c.UpdateFunctionConfiguration(t.Context(), &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String(name), LoggingConfig: &types.LoggingConfig{LogGroup: aws.String("bad group!")},
	})
	var ae2 smithy.APIError
	require.ErrorAs(t, err, &ae2)
	require.Equal(t, "ValidationException", ae2.ErrorCode())
	require.Contains(t, ae2.ErrorMessage(), "loggingConfig.logGroup")
}

// TestJSONLogRecords checks what a JSON-format Python function logs in CloudWatch Logs:
// platform.start and platform.report records, JSON records of the logging module at the
// application level and above, no platform INFO records with SystemLogLevel WARN, and
// AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL set for the runtime.
func TestJSONLogRecords(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	source := "import logging, os\n\ndef handler(event, context):\n    logging.getLogger().debug('debug record')\n    logging.getLogger().warning('warn record')\n    return [os.environ.get('AWS_LAMBDA_LOG_FORMAT'), os.environ.get('AWS_LAMBDA_LOG_LEVEL')]\n"
	code := zipDir(t, "", map[string]zipEntry{"handler.py": {data: []byte(source)}})

	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython313, Handler: aws.String("handler.handler"),
		Code: &types.FunctionCode{ZipFile: code}, LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatJson, ApplicationLogLevel: types.ApplicationLogLevelDebug},
	})
	out, _ := invokeTail(t, c, name, `{}`)
	require.Nil(t, out.FunctionError)
	require.JSONEq(t, `["JSON","DEBUG"]`, string(out.Payload))
	id := requestIDOf(t, out)
	var levels []string
	seen := map[string]bool{}
	for _, m := range logMessages(t, srv, name, false, `"type":"platform.report"`) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(m), &rec), "every event is a JSON record: %q", m)
		if typ, ok := rec["type"].(string); ok {
			seen[typ] = true
			if typ == "platform.report" {
				r := rec["record"].(map[string]any)
				require.Equal(t, id, r["requestId"])
				require.Equal(t, "success", r["status"])
				require.Contains(t, r["metrics"], "billedDurationMs")
			}
			continue
		}
		levels = append(levels, rec["level"].(string))
	}
	require.True(t, seen["platform.start"] && seen["platform.report"], "platform records: %v", seen)
	require.Equal(t, []string{"DEBUG", "WARNING"}, levels)

	// SystemLogLevel WARN leaves the platform's INFO records out.
	quiet := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(quiet), Runtime: types.RuntimePython313, Handler: aws.String("handler.handler"),
		Code: &types.FunctionCode{ZipFile: code}, LoggingConfig: &types.LoggingConfig{LogFormat: types.LogFormatJson, SystemLogLevel: types.SystemLogLevelWarn},
	})
	out, _ = invokeTail(t, c, quiet, `{}`)
	require.Nil(t, out.FunctionError)
	for _, m := range logMessages(t, srv, quiet, false, `"warn record"`) {
		require.NotContains(t, m, `"type":"platform.`)
		require.NotContains(t, m, "debug record", "INFO is the default application level")
	}
}

// TestMultiLineRecords checks that a Python traceback and a multi-line Node.js console.log
// reach CloudWatch Logs as one event each, with "\n" between their lines, as AWS's
// managed runtimes deliver them.
func TestMultiLineRecords(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)

	py := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(py), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	out, _ := invokeTail(t, c, py, `{"fail":true}`)
	require.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	var traceback string
	for _, m := range logMessages(t, srv, py, false, "[ERROR] ValueError: boom") {
		if strings.HasPrefix(m, "[ERROR] ValueError: boom") {
			traceback = m
		}
	}
	require.Regexp(t, "^\\[ERROR\\] ValueError: boom\nTraceback \\(most recent call last\\):\n\u00a0\u00a0File \"/var/task/app.py\", line \\d+, in handler\n\u00a0\u00a0\u00a0\u00a0raise ValueError\\(\"boom\"\\)$", traceback)

	node := uniqueName(t)
	src := "exports.handler = async () => { console.log('first\\nsecond\\nthird'); return 'ok'; };\n"
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(node), Runtime: types.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Code: &types.FunctionCode{ZipFile: zipDir(t, "", map[string]zipEntry{"index.js": {data: []byte(src)}})},
	})
	out, _ = invokeTail(t, c, node, `{}`)
	require.Nil(t, out.FunctionError)
	id := requestIDOf(t, out)
	n := 0
	for _, m := range logMessages(t, srv, node, false, "\tINFO\tfirst") {
		if strings.Contains(m, "\tINFO\tfirst") {
			n++
			require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t`+id+"\tINFO\tfirst\nsecond\nthird$", m)
		}
	}
	require.Equal(t, 1, n)
}
