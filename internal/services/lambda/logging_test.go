package lambda

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const errLogLevelText = `LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.`

func TestLoggingConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)

	// AWS answers the default: Text, the function's own group, no levels.
	out := b.MustCreate(t, "f")
	require.Equal(t, &LoggingConfig{LogFormat: ptr("Text"), LogGroup: ptr("/aws/lambda/f")}, out.LoggingConfig)

	// A level on a Text function is refused, at create and at update, and changes nothing.
	in := createInput(t, "g")
	in.LoggingConfig = &LoggingConfig{ApplicationLogLevel: ptr("DEBUG")}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.Equal(t, errLogLevelText, requireCode(t, err, ErrCodeInvalidParameterValueException).Message)
	in.LoggingConfig = &LoggingConfig{LogFormat: ptr("Text"), SystemLogLevel: ptr("WARN")}
	_, err = b.svc.CreateFunction(b.ctx, in)
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), LoggingConfig: &LoggingConfig{SystemLogLevel: ptr("WARN")}})
	require.Equal(t, errLogLevelText, requireCode(t, err, ErrCodeInvalidParameterValueException).Message)

	// Switching to JSON sets both levels to INFO.
	up, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), LoggingConfig: &LoggingConfig{LogFormat: ptr("JSON")}})
	require.NoError(t, err)
	require.Equal(t, &LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("INFO"), SystemLogLevel: ptr("INFO"), LogGroup: ptr("/aws/lambda/f")}, up.LoggingConfig)

	// Fields left out keep their value.
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), LoggingConfig: &LoggingConfig{ApplicationLogLevel: ptr("ERROR"), LogGroup: ptr("custom/group")}})
	require.NoError(t, err)
	got, err := b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, &LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("ERROR"), SystemLogLevel: ptr("INFO"), LogGroup: ptr("custom/group")}, got.LoggingConfig)

	// Back to Text drops the levels and keeps the group.
	up, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), LoggingConfig: &LoggingConfig{LogFormat: ptr("Text")}})
	require.NoError(t, err)
	require.Equal(t, &LoggingConfig{LogFormat: ptr("Text"), LogGroup: ptr("custom/group")}, up.LoggingConfig)

	// A published version keeps the configuration it was published with.
	in = createInput(t, "h")
	in.LoggingConfig = &LoggingConfig{LogFormat: ptr("JSON"), SystemLogLevel: ptr("WARN")}
	in.Publish = ptr(true)
	cr, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, &LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("INFO"), SystemLogLevel: ptr("WARN"), LogGroup: ptr("/aws/lambda/h")}, cr.LoggingConfig)
	v1, err := b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("h"), Qualifier: ptr("1")})
	require.NoError(t, err)
	require.Equal(t, cr.LoggingConfig, v1.LoggingConfig)
}
