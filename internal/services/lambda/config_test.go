package lambda

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

const testRuntimeVersion = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestFunctionRecursionConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	got, err := b.svc.GetFunctionRecursionConfig(b.ctx, &GetFunctionRecursionConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, RecursiveLoopTerminate, *got.RecursiveLoop)

	put, err := b.svc.PutFunctionRecursionConfig(b.ctx, &PutFunctionRecursionConfigInput{FunctionName: ptr("f"), RecursiveLoop: ptr(RecursiveLoopAllow)})
	require.NoError(t, err)
	require.Equal(t, RecursiveLoopAllow, *put.RecursiveLoop)
	got, err = b.svc.GetFunctionRecursionConfig(b.ctx, &GetFunctionRecursionConfigInput{FunctionName: ptr("arn:aws:lambda:us-east-1:123456789012:function:f")})
	require.NoError(t, err)
	require.Equal(t, RecursiveLoopAllow, *got.RecursiveLoop)

	_, err = b.svc.GetFunctionRecursionConfig(b.ctx, &GetFunctionRecursionConfigInput{FunctionName: ptr("nope")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.PutFunctionRecursionConfig(b.ctx, &PutFunctionRecursionConfigInput{FunctionName: ptr("nope"), RecursiveLoop: ptr(RecursiveLoopAllow)})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// The setting goes with its function.
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	b.MustCreate(t, "f")
	got, err = b.svc.GetFunctionRecursionConfig(b.ctx, &GetFunctionRecursionConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, RecursiveLoopTerminate, *got.RecursiveLoop)
}

func TestRuntimeManagementConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)

	got, err := b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, UpdateRuntimeOnAuto, *got.UpdateRuntimeOn)
	require.Nil(t, got.RuntimeVersionARN)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f", *got.FunctionARN)

	put, err := b.svc.PutRuntimeManagementConfig(b.ctx, &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), Qualifier: ptr("1"), UpdateRuntimeOn: ptr(UpdateRuntimeOnManual), RuntimeVersionARN: ptr(testRuntimeVersion)})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:1", *put.FunctionARN)
	require.Equal(t, testRuntimeVersion, *put.RuntimeVersionARN)
	got, err = b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f:1")})
	require.NoError(t, err)
	require.Equal(t, UpdateRuntimeOnManual, *got.UpdateRuntimeOn)
	require.Equal(t, testRuntimeVersion, *got.RuntimeVersionARN)
	// $LATEST keeps its own.
	got, err = b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f"), Qualifier: ptr("$LATEST")})
	require.NoError(t, err)
	require.Equal(t, UpdateRuntimeOnAuto, *got.UpdateRuntimeOn)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", *got.FunctionARN)

	_, err = b.svc.PutRuntimeManagementConfig(b.ctx, &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), UpdateRuntimeOn: ptr(UpdateRuntimeOnFunctionUpdate)})
	require.NoError(t, err)
	got, err = b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, UpdateRuntimeOnFunctionUpdate, *got.UpdateRuntimeOn)

	// Deleting version 1 deletes its config.
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("f"), Qualifier: ptr("1")})
	require.NoError(t, err)
	_, err = b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f:1")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	n, err := b.db.LambdaFunctionSettingFunctions(b.ctx, testAccount, testRegion, store.LambdaSettingRuntime, `{"on":"Manual","arn":"`+testRuntimeVersion+`"}`, "", 10)
	require.NoError(t, err)
	require.Empty(t, n)
}

func TestRuntimeManagementConfigErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	_, err := b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("$LATEST")})
	require.NoError(t, err)
	tests := []struct {
		name     string
		in       *PutRuntimeManagementConfigInput
		wantCode string
	}{
		{"manual without arn", &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), UpdateRuntimeOn: ptr(UpdateRuntimeOnManual)}, ErrCodeInvalidParameterValueException},
		{"auto with arn", &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto), RuntimeVersionARN: ptr(testRuntimeVersion)}, ErrCodeInvalidParameterValueException},
		{"unknown function", &PutRuntimeManagementConfigInput{FunctionName: ptr("nope"), UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto)}, ErrCodeResourceNotFoundException},
		{"unknown version", &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), Qualifier: ptr("7"), UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto)}, ErrCodeResourceNotFoundException},
		{"alias", &PutRuntimeManagementConfigInput{FunctionName: ptr("f"), Qualifier: ptr("live"), UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto)}, ErrCodeResourceNotFoundException},
		{"qualifiers disagree", &PutRuntimeManagementConfigInput{FunctionName: ptr("f:1"), Qualifier: ptr("2"), UpdateRuntimeOn: ptr(UpdateRuntimeOnAuto)}, ErrCodeInvalidParameterValueException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.PutRuntimeManagementConfig(b.ctx, tt.in)
			requireCode(t, err, tt.wantCode)
		})
	}
	got, err := b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, UpdateRuntimeOnAuto, *got.UpdateRuntimeOn)
	_, err = b.svc.GetRuntimeManagementConfig(b.ctx, &GetRuntimeManagementConfigInput{FunctionName: ptr("nope")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestFunctionScalingConfigNeedsCapacityProvider(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	_, err := b.svc.GetFunctionScalingConfig(b.ctx, &GetFunctionScalingConfigInput{FunctionName: ptr("f"), Qualifier: ptr("$LATEST")})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.PutFunctionScalingConfig(b.ctx, &PutFunctionScalingConfigInput{FunctionName: ptr("f"), Qualifier: ptr("$LATEST"),
		FunctionScalingConfig: &FunctionScalingConfig{}})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.GetFunctionScalingConfig(b.ctx, &GetFunctionScalingConfigInput{FunctionName: ptr("nope"), Qualifier: ptr("$LATEST")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.PutFunctionScalingConfig(b.ctx, &PutFunctionScalingConfigInput{FunctionName: ptr("f"), Qualifier: ptr("9")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestInvokeAsync(t *testing.T) {
	t.Parallel()
	rec := &logRecorder{}
	b := setupWith(t, func(db *store.DB) *delivery.Dispatcher {
		return delivery.New(delivery.Config{Store: db})
	}, rec)
	b.MustCreate(t, "ev")
	out, err := b.svc.InvokeAsync(b.ctx, &InvokeAsyncInput{FunctionName: ptr("ev"), InvokeArgs: []byte(`{"a":1}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), *out.Status)
	require.Eventually(t, func() bool { return rec.count("hello from ev") == 1 }, 30*time.Second, 20*time.Millisecond)

	_, err = b.svc.InvokeAsync(b.ctx, &InvokeAsyncInput{FunctionName: ptr("nope"), InvokeArgs: []byte(`{}`)})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.InvokeAsync(b.ctx, &InvokeAsyncInput{FunctionName: ptr("ev"), InvokeArgs: []byte(`{not json`)})
	requireCode(t, err, ErrCodeInvalidRequestContentException)
	_, err = b.svc.InvokeAsync(b.ctx, &InvokeAsyncInput{FunctionName: ptr("ev"), InvokeArgs: []byte(`"` + strings.Repeat("x", maxAsyncPayload) + `"`)})
	requireCode(t, err, "RequestEntityTooLargeException")
}
