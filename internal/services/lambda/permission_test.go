package lambda

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPermissions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arn := *b.MustCreate(t, "f").FunctionARN
	_, err := b.svc.GetPolicy(b.ctx, &GetPolicyInput{FunctionName: ptr("f")})
	pe := requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "The resource you requested does not exist.", pe.Message)

	add := &AddPermissionInput{
		FunctionName: ptr("f"), StatementID: ptr("s3"), Action: ptr("lambda:InvokeFunction"),
		Principal: ptr("s3.amazonaws.com"), SourceARN: ptr("arn:aws:s3:::bucket"), SourceAccount: ptr("123456789012"),
	}
	out, err := b.svc.AddPermission(b.ctx, add)
	require.NoError(t, err)
	var st map[string]any
	require.NoError(t, json.Unmarshal([]byte(*out.Statement), &st))
	require.Equal(t, map[string]any{"Service": "s3.amazonaws.com"}, st["Principal"])
	require.Equal(t, arn, st["Resource"])
	require.Equal(t, map[string]any{
		"StringEquals": map[string]any{"AWS:SourceAccount": "123456789012"},
		"ArnLike":      map[string]any{"AWS:SourceArn": "arn:aws:s3:::bucket"},
	}, st["Condition"])

	_, err = b.svc.AddPermission(b.ctx, add)
	requireCode(t, err, ErrCodeResourceConflictException)
	_, err = b.svc.AddPermission(b.ctx, &AddPermissionInput{FunctionName: ptr("f"), StatementID: ptr("acct"), Action: ptr("lambda:GetFunction"), Principal: ptr("111122223333")})
	require.NoError(t, err)

	pol, err := b.svc.GetPolicy(b.ctx, &GetPolicyInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	var doc struct {
		Version   string
		Statement []struct {
			Sid       string
			Principal any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(*pol.Policy), &doc))
	require.Equal(t, "2012-10-17", doc.Version)
	require.Len(t, doc.Statement, 2)
	require.Equal(t, map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, doc.Statement[1].Principal)

	_, err = b.svc.RemovePermission(b.ctx, &RemovePermissionInput{FunctionName: ptr("f"), StatementID: ptr("s3")})
	require.NoError(t, err)
	_, err = b.svc.RemovePermission(b.ctx, &RemovePermissionInput{FunctionName: ptr("f"), StatementID: ptr("s3")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.AddPermission(b.ctx, &AddPermissionInput{FunctionName: ptr("nope"), StatementID: ptr("x"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("*")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestConcurrencyAndThrottle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	got, err := b.svc.GetFunctionConcurrency(b.ctx, &GetFunctionConcurrencyInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Nil(t, got.ReservedConcurrentExecutions)

	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(950))})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(0))})
	require.NoError(t, err)
	got, err = b.svc.GetFunctionConcurrency(b.ctx, &GetFunctionConcurrencyInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, int32(0), *got.ReservedConcurrentExecutions)

	// Reserved concurrency 0 throttles every invocation.
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Payload: []byte(`{}`)})
	pe := requireCode(t, err, ErrCodeTooManyRequestsException)
	require.Equal(t, 429, pe.Status)
	require.Equal(t, "ReservedFunctionConcurrentInvocationLimitExceeded", pe.Fields["Reason"])

	settings, err := b.svc.GetAccountSettings(b.ctx, &GetAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, int32(1000), *settings.AccountLimit.ConcurrentExecutions)
	require.Equal(t, int32(1000), *settings.AccountLimit.UnreservedConcurrentExecutions)
	require.Equal(t, int64(1), *settings.AccountUsage.FunctionCount)

	_, err = b.svc.DeleteFunctionConcurrency(b.ctx, &DeleteFunctionConcurrencyInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, int32(200), *out.StatusCode)
}
