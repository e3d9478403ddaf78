package lambda

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEventInvokeConfigLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "ec")
	b.MustCreate(t, "other")
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:ec"

	// Nothing configured yet.
	_, err := b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("ec")})
	pe := requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "The function "+arn+":$LATEST doesn't have an EventInvokeConfig", pe.Message)
	_, err = b.svc.UpdateFunctionEventInvokeConfig(b.ctx, &UpdateFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), MaximumRetryAttempts: ptr(int32(1))})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteFunctionEventInvokeConfig(b.ctx, &DeleteFunctionEventInvokeConfigInput{FunctionName: ptr("ec")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// Put sets only what it is given; destinations are always present, empty when unset.
	put, err := b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{
		FunctionName: ptr("ec"), MaximumRetryAttempts: ptr(int32(0)),
		DestinationConfig: &DestinationConfig{OnFailure: &OnFailure{Destination: ptr("arn:aws:sqs:us-east-1:123456789012:dlq")}},
	})
	require.NoError(t, err)
	require.Equal(t, arn+":$LATEST", *put.FunctionARN)
	require.Equal(t, int32(0), *put.MaximumRetryAttempts)
	require.Nil(t, put.MaximumEventAgeInSeconds)
	require.Nil(t, put.DestinationConfig.OnSuccess.Destination)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", *put.DestinationConfig.OnFailure.Destination)
	require.Equal(t, b.clock.Now().UTC().UnixMilli(), put.LastModified.UnixMilli())

	// Update merges.
	up, err := b.svc.UpdateFunctionEventInvokeConfig(b.ctx, &UpdateFunctionEventInvokeConfigInput{
		FunctionName: ptr(arn), MaximumEventAgeInSeconds: ptr(int32(120)),
		DestinationConfig: &DestinationConfig{OnSuccess: &OnSuccess{Destination: ptr("arn:aws:events:us-east-1:123456789012:event-bus/default")}},
	})
	require.NoError(t, err)
	require.Equal(t, int32(0), *up.MaximumRetryAttempts)
	require.Equal(t, int32(120), *up.MaximumEventAgeInSeconds)
	require.Equal(t, "arn:aws:events:us-east-1:123456789012:event-bus/default", *up.DestinationConfig.OnSuccess.Destination)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", *up.DestinationConfig.OnFailure.Destination)

	// Put replaces: what is left out is removed.
	put, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), MaximumEventAgeInSeconds: ptr(int32(60))})
	require.NoError(t, err)
	require.Nil(t, put.MaximumRetryAttempts)
	require.Nil(t, put.DestinationConfig.OnFailure.Destination)
	got, err := b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), Qualifier: ptr("$LATEST")})
	require.NoError(t, err)
	require.Equal(t, int32(60), *got.MaximumEventAgeInSeconds)
	require.Nil(t, got.MaximumRetryAttempts)

	// Versions and aliases have their own configurations.
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("ec")})
	require.NoError(t, err)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("ec"), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	for _, q := range []string{"1", "live"} {
		_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("ec:" + q), MaximumRetryAttempts: ptr(int32(2))})
		require.NoError(t, err)
	}
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), Qualifier: ptr("nope"), MaximumRetryAttempts: ptr(int32(2))})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("ec:1"), Qualifier: ptr("live"), MaximumRetryAttempts: ptr(int32(2))})
	requireCode(t, err, ErrCodeInvalidParameterValueException)

	list, err := b.svc.ListFunctionEventInvokeConfigs(b.ctx, &ListFunctionEventInvokeConfigsInput{FunctionName: ptr("ec"), MaxItems: ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, list.FunctionEventInvokeConfigs, 2)
	require.Equal(t, arn+":$LATEST", *list.FunctionEventInvokeConfigs[0].FunctionARN)
	require.Equal(t, arn+":1", *list.FunctionEventInvokeConfigs[1].FunctionARN)
	require.NotNil(t, list.NextMarker)
	list, err = b.svc.ListFunctionEventInvokeConfigs(b.ctx, &ListFunctionEventInvokeConfigsInput{FunctionName: ptr("ec"), Marker: list.NextMarker})
	require.NoError(t, err)
	require.Len(t, list.FunctionEventInvokeConfigs, 1)
	require.Equal(t, arn+":live", *list.FunctionEventInvokeConfigs[0].FunctionARN)
	require.Nil(t, list.NextMarker)
	_, err = b.svc.ListFunctionEventInvokeConfigs(b.ctx, &ListFunctionEventInvokeConfigsInput{FunctionName: ptr("nope")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// Deleting an alias or a version deletes its configuration; deleting the function
	// deletes them all.
	_, err = b.svc.DeleteAlias(b.ctx, &DeleteAliasInput{FunctionName: ptr("ec"), Name: ptr("live")})
	require.NoError(t, err)
	_, err = b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("ec:live")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteFunctionEventInvokeConfig(b.ctx, &DeleteFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), Qualifier: ptr("1")})
	require.NoError(t, err)
	_, err = b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("ec"), Qualifier: ptr("1")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("ec")})
	require.NoError(t, err)
	b.MustCreate(t, "ec")
	_, err = b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("ec")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestEventInvokeConfigInvalid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "bad")
	b.MustCreate(t, "other")
	tests := []struct {
		name    string
		in      *PutFunctionEventInvokeConfigInput
		code    string
		message string
	}{
		{"nothing", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad")}, ErrCodeInvalidParameterValueException,
			"You must specify at least one of error handling or destination setting."},
		{"missing function", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("nope"), MaximumRetryAttempts: ptr(int32(1))}, ErrCodeResourceNotFoundException, ""},
		{"unknown service", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
			OnSuccess: &OnSuccess{Destination: ptr("arn:aws:dynamodb:us-east-1:123456789012:table/t")}}}, ErrCodeInvalidParameterValueException,
			"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:dynamodb:us-east-1:123456789012:table/t), onFailure=null) is invalid."},
		{"itself", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
			OnFailure: &OnFailure{Destination: ptr("arn:aws:lambda:us-east-1:123456789012:function:bad")}}}, ErrCodeInvalidParameterValueException,
			"You can't specify the function as a destination for itself."},
		{"s3 on success", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
			OnSuccess: &OnSuccess{Destination: ptr("arn:aws:s3:::bucket")}}}, ErrCodeInvalidParameterValueException, ""},
		{"s3 on failure", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
			OnFailure: &OnFailure{Destination: ptr("arn:aws:s3:::bucket")}}}, ErrCodeInvalidParameterValueException, ""},
		{"bus without event-bus/", &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
			OnFailure: &OnFailure{Destination: ptr("arn:aws:events:us-east-1:123456789012:rule/r")}}}, ErrCodeInvalidParameterValueException, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.PutFunctionEventInvokeConfig(b.ctx, tt.in)
			pe := requireCode(t, err, tt.code)
			if tt.message != "" {
				require.Equal(t, tt.message, pe.Message)
			}
		})
	}
	// Another function is a fine destination; nothing invalid was stored.
	_, err := b.svc.GetFunctionEventInvokeConfig(b.ctx, &GetFunctionEventInvokeConfigInput{FunctionName: ptr("bad")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("bad"), DestinationConfig: &DestinationConfig{
		OnFailure: &OnFailure{Destination: ptr("arn:aws:lambda:us-east-1:123456789012:function:other")}}})
	require.NoError(t, err)
}

func TestDeadLetterConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "dl")
	in.DeadLetterConfig = &DeadLetterConfig{TargetARN: ptr("arn:aws:sqs:us-east-1:123456789012:dlq")}
	out, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:dlq", *out.DeadLetterConfig.TargetARN)

	up, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("dl"),
		DeadLetterConfig: &DeadLetterConfig{TargetARN: ptr("arn:aws:sns:us-east-1:123456789012:topic")}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:topic", *up.DeadLetterConfig.TargetARN)
	// Other updates keep it.
	up, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("dl"), Description: ptr("d")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:topic", *up.DeadLetterConfig.TargetARN)

	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("dl"),
		DeadLetterConfig: &DeadLetterConfig{TargetARN: ptr("arn:aws:lambda:us-east-1:123456789012:function:x")}})
	requireCode(t, err, ErrCodeInvalidParameterValueException)

	// An empty target removes it.
	up, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("dl"),
		DeadLetterConfig: &DeadLetterConfig{TargetARN: ptr("")}})
	require.NoError(t, err)
	require.Nil(t, up.DeadLetterConfig)

	bad := createInput(t, "dl2")
	bad.DeadLetterConfig = &DeadLetterConfig{TargetARN: ptr("arn:aws:s3:::bucket")}
	_, err = b.svc.CreateFunction(b.ctx, bad)
	requireCode(t, err, ErrCodeInvalidParameterValueException)
}
