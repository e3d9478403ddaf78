package lambda

import (
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/lambdart"
)

// provisionedHandler reports how its environment was initialised.
const provisionedHandler = `import os
INIT_TYPE = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE")
def handler(event, context):
    return {"init": INIT_TYPE}
`

// MustPublished creates a function from source and publishes version 1 with an alias
// "live" to it.
func (b *testBundle) MustPublished(t *testing.T, name, source string) {
	t.Helper()
	in := createInput(t, name)
	in.Code.ZipFile = MustZip(t, map[string]string{"app.py": source})
	in.Publish = ptr(true)
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr(name), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
}

// waitProvisioned polls GetProvisionedConcurrencyConfig until the status leaves
// IN_PROGRESS, as boto3 users do, and returns the config.
func (b *testBundle) waitProvisioned(t *testing.T, svc *Service, name, q string) *GetProvisionedConcurrencyConfigOutput {
	t.Helper()
	var out *GetProvisionedConcurrencyConfigOutput
	require.Eventually(t, func() bool {
		var err error
		out, err = svc.GetProvisionedConcurrencyConfig(b.ctx, &GetProvisionedConcurrencyConfigInput{FunctionName: ptr(name), Qualifier: ptr(q)})
		require.NoError(t, err)
		return *out.Status != ProvisionedConcurrencyStatusEnumINPROGRESS
	}, 20*time.Second, 20*time.Millisecond)
	return out
}

func TestProvisionedConcurrencyConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "warm", provisionedHandler)

	put, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("1"), ProvisionedConcurrentExecutions: ptr(int32(2))})
	require.NoError(t, err)
	require.Equal(t, ProvisionedConcurrencyStatusEnumINPROGRESS, *put.Status)
	require.Equal(t, int32(2), *put.RequestedProvisionedConcurrentExecutions)
	require.Equal(t, int32(0), *put.AllocatedProvisionedConcurrentExecutions)
	require.Equal(t, "2026-03-01T12:00:00+0000", *put.LastModified)

	got := b.waitProvisioned(t, b.svc, "warm", "1")
	require.Equal(t, ProvisionedConcurrencyStatusEnumREADY, *got.Status)
	require.Equal(t, int32(2), *got.AllocatedProvisionedConcurrentExecutions)
	require.Equal(t, int32(2), *got.AvailableProvisionedConcurrentExecutions)

	// The invocation is served by an environment initialised beforehand.
	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("warm"), Qualifier: ptr("1"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.JSONEq(t, `{"init":"provisioned-concurrency"}`, string(out.Payload))
	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("warm"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.JSONEq(t, `{"init":"on-demand"}`, string(out.Payload), "$LATEST is not provisioned")

	// A version is provisioned through itself or an alias, not both.
	_, err = b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	requireCode(t, err, ErrCodeResourceConflictException)

	list, err := b.svc.ListProvisionedConcurrencyConfigs(b.ctx, &ListProvisionedConcurrencyConfigsInput{FunctionName: ptr("warm")})
	require.NoError(t, err)
	require.Len(t, list.ProvisionedConcurrencyConfigs, 1)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:warm:1", *list.ProvisionedConcurrencyConfigs[0].FunctionARN)
	require.Equal(t, ProvisionedConcurrencyStatusEnumREADY, *list.ProvisionedConcurrencyConfigs[0].Status)

	_, err = b.svc.DeleteProvisionedConcurrencyConfig(b.ctx, &DeleteProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("1")})
	require.NoError(t, err)
	_, err = b.svc.GetProvisionedConcurrencyConfig(b.ctx, &GetProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("1")})
	pe := requireCode(t, err, ErrCodeProvisionedConcurrencyConfigNotFoundException)
	require.Equal(t, "No Provisioned Concurrency Config found for this function", pe.Message)
	_, err = b.svc.DeleteProvisionedConcurrencyConfig(b.ctx, &DeleteProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("1")})
	require.NoError(t, err, "deleting twice succeeds")
	rt, err := b.svc.runtime()
	require.NoError(t, err)
	require.Equal(t, lambdart.ProvisionedStatus{}, rt.ProvisionedConcurrency(lambdart.FunctionKey{AccountID: testAccount, Region: testRegion, Name: "warm", Version: "1"}))

	// Through the alias now.
	_, err = b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	require.Equal(t, ProvisionedConcurrencyStatusEnumREADY, *b.waitProvisioned(t, b.svc, "warm", "live").Status)
	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("warm"), Qualifier: ptr("live"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.JSONEq(t, `{"init":"provisioned-concurrency"}`, string(out.Payload))
	_, err = b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("1"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	pe = requireCode(t, err, ErrCodeResourceConflictException)
	require.Equal(t, "Version is pointed by a Provisioned Concurrency alias", pe.Message)
	// Deleting the alias deletes its config and releases the environments.
	_, err = b.svc.DeleteAlias(b.ctx, &DeleteAliasInput{FunctionName: ptr("warm"), Name: ptr("live")})
	require.NoError(t, err)
	require.Equal(t, 0, rt.ProvisionedConcurrency(lambdart.FunctionKey{AccountID: testAccount, Region: testRegion, Name: "warm", Version: "1"}).Requested)
	list, err = b.svc.ListProvisionedConcurrencyConfigs(b.ctx, &ListProvisionedConcurrencyConfigsInput{FunctionName: ptr("warm")})
	require.NoError(t, err)
	require.Empty(t, list.ProvisionedConcurrencyConfigs)
}

func TestProvisionedConcurrencyRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "fn", provisionedHandler)
	put := func(name, q string, n int32) error {
		_, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr(name), Qualifier: ptr(q), ProvisionedConcurrentExecutions: ptr(n)})
		return err
	}
	cases := []struct {
		name, fn, q string
		n           int32
		code, msg   string
	}{
		{"Latest", "fn", "$LATEST", 1, ErrCodeInvalidParameterValueException, "Provisioned Concurrency Configs cannot be applied to unpublished function versions."},
		{"NoFunction", "ghost", "1", 1, ErrCodeResourceNotFoundException, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost:1"},
		{"NoVersion", "fn", "7", 1, ErrCodeResourceNotFoundException, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn:7"},
		{"NoAlias", "fn", "prod", 1, ErrCodeResourceNotFoundException, "Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:fn:prod"},
		{"AboveUnreserved", "fn", "1", 901, ErrCodeInvalidParameterValueException, "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pe := requireCode(t, put(tc.fn, tc.q, tc.n), tc.code)
			require.Equal(t, tc.msg, pe.Message)
		})
	}
	_, err := b.svc.GetProvisionedConcurrencyConfig(b.ctx, &GetProvisionedConcurrencyConfigInput{FunctionName: ptr("fn"), Qualifier: ptr("$LATEST")})
	pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "The function resource provided must be an alias or a published version.", pe.Message)
	_, err = b.svc.ListProvisionedConcurrencyConfigs(b.ctx, &ListProvisionedConcurrencyConfigsInput{FunctionName: ptr("ghost")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// Provisioned concurrency fits in the function's reservation.
	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("fn"), ReservedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	pe = requireCode(t, put("fn", "1", 2), ErrCodeInvalidParameterValueException)
	require.Equal(t, "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function", pe.Message)
	list, err := b.svc.ListProvisionedConcurrencyConfigs(b.ctx, &ListProvisionedConcurrencyConfigsInput{FunctionName: ptr("fn")})
	require.NoError(t, err)
	require.Empty(t, list.ProvisionedConcurrencyConfigs, "refused calls change nothing")
}

func TestProvisionedConcurrencyCountsAgainstUnreserved(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "fn", provisionedHandler)
	before, err := b.svc.GetAccountSettings(b.ctx, &GetAccountSettingsInput{})
	require.NoError(t, err)
	_, err = b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("fn"), Qualifier: ptr("1"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	after, err := b.svc.GetAccountSettings(b.ctx, &GetAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, *before.AccountLimit.UnreservedConcurrentExecutions-1, *after.AccountLimit.UnreservedConcurrentExecutions)
	conc, err := b.svc.GetFunctionConcurrency(b.ctx, &GetFunctionConcurrencyInput{FunctionName: ptr("fn")})
	require.NoError(t, err)
	require.Nil(t, conc.ReservedConcurrentExecutions)
}

func TestProvisionedConcurrencyInitFailure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "broken", "raise RuntimeError('no init for you')\n")
	_, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("broken"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	got := b.waitProvisioned(t, b.svc, "broken", "live")
	require.Equal(t, ProvisionedConcurrencyStatusEnumFAILED, *got.Status)
	require.Contains(t, *got.StatusReason, "FUNCTION_ERROR_INIT_FAILURE")
}

func TestProvisionedConcurrencyRestored(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "warm", provisionedHandler)
	_, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("warm"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)

	// A second service on the same store, as after a restart: Start initialises the
	// environments without being asked.
	again := New(Deps{Store: b.db, Clock: b.clock, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: t.TempDir(), LogSink: lambdart.DiscardLogs, Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(again.Stop)
	require.NoError(t, again.RestoreProvisioned(b.ctx))
	key := lambdart.FunctionKey{AccountID: testAccount, Region: testRegion, Name: "warm", Version: "1"}
	require.Eventually(t, func() bool {
		again.mu.Lock()
		rt := again.rt
		again.mu.Unlock()
		return rt != nil && rt.ProvisionedConcurrency(key).Status == lambdart.ProvisionedReady
	}, 20*time.Second, 20*time.Millisecond)
	out, err := again.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("warm"), Qualifier: ptr("live"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	var res map[string]string
	require.NoError(t, json.Unmarshal(out.Payload, &res))
	require.Equal(t, "provisioned-concurrency", res["init"])
}

func TestProvisionedConcurrencyFollowsAlias(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "moving", provisionedHandler)
	_, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("moving"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	b.waitProvisioned(t, b.svc, "moving", "live")
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("moving"), Timeout: ptr(int32(5))})
	require.NoError(t, err)
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("moving")})
	require.NoError(t, err)
	_, err = b.svc.UpdateAlias(b.ctx, &UpdateAliasInput{FunctionName: ptr("moving"), Name: ptr("live"), FunctionVersion: ptr("2")})
	require.NoError(t, err)
	rt, err := b.svc.runtime()
	require.NoError(t, err)
	key := func(v string) lambdart.FunctionKey {
		return lambdart.FunctionKey{AccountID: testAccount, Region: testRegion, Name: "moving", Version: v}
	}
	require.Equal(t, 0, rt.ProvisionedConcurrency(key("1")).Requested, "the old version is released")
	require.Equal(t, 1, rt.ProvisionedConcurrency(key("2")).Requested)
	require.Equal(t, ProvisionedConcurrencyStatusEnumREADY, *b.waitProvisioned(t, b.svc, "moving", "live").Status)
}

func TestProvisionedConcurrencyReset(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustPublished(t, "wiped", provisionedHandler)
	_, err := b.svc.PutProvisionedConcurrencyConfig(b.ctx, &PutProvisionedConcurrencyConfigInput{FunctionName: ptr("wiped"), Qualifier: ptr("1"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	require.NoError(t, err)
	b.waitProvisioned(t, b.svc, "wiped", "1")
	require.NoError(t, b.db.Reset(b.ctx, "lambda"))
	b.svc.Reset()
	rt, err := b.svc.runtime()
	require.NoError(t, err)
	require.Equal(t, lambdart.ProvisionedStatus{}, rt.ProvisionedConcurrency(lambdart.FunctionKey{AccountID: testAccount, Region: testRegion, Name: "wiped", Version: "1"}))
}
