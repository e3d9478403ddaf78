package lambda

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAliases(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "f")
	in.Publish = ptr(true)
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), Timeout: ptr(int32(5))})
	require.NoError(t, err)
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("f")})
	require.NoError(t, err)

	a, err := b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1"), Description: ptr("d")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:f:live", *a.AliasARN)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
	pe := requireCode(t, err, ErrCodeResourceConflictException)
	require.Equal(t, "Alias already exists: arn:aws:lambda:us-east-1:123456789012:function:f:live", pe.Message)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("x"), FunctionVersion: ptr("9")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("nope"), Name: ptr("x"), FunctionVersion: ptr("1")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f:live"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, "1", *out.ExecutedVersion)

	_, err = b.svc.UpdateAlias(b.ctx, &UpdateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), RevisionID: ptr("stale"), FunctionVersion: ptr("2")})
	requireCode(t, err, ErrCodePreconditionFailedException)
	up, err := b.svc.UpdateAlias(b.ctx, &UpdateAliasInput{FunctionName: ptr("f"), Name: ptr("live"), RevisionID: a.RevisionID, FunctionVersion: ptr("2"),
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 1}}})
	require.NoError(t, err)
	require.Equal(t, "2", *up.FunctionVersion)
	// All the weight on version 1: every invocation runs it.
	out, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f"), Qualifier: ptr("live"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, "1", *out.ExecutedVersion)
	_, err = b.svc.UpdateAlias(b.ctx, &UpdateAliasInput{FunctionName: ptr("f"), Name: ptr("live"),
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 1.5}}})
	requireCode(t, err, ErrCodeInvalidParameterValueException)

	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("f"), Name: ptr("beta"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	list, err := b.svc.ListAliases(b.ctx, &ListAliasesInput{FunctionName: ptr("f"), MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, list.Aliases, 1)
	require.Equal(t, "beta", *list.Aliases[0].Name)
	list, err = b.svc.ListAliases(b.ctx, &ListAliasesInput{FunctionName: ptr("f"), Marker: list.NextMarker})
	require.NoError(t, err)
	require.Len(t, list.Aliases, 1)
	require.Equal(t, "live", *list.Aliases[0].Name)
	require.Nil(t, list.NextMarker)

	_, err = b.svc.DeleteAlias(b.ctx, &DeleteAliasInput{FunctionName: ptr("f"), Name: ptr("live")})
	require.NoError(t, err)
	_, err = b.svc.GetAlias(b.ctx, &GetAliasInput{FunctionName: ptr("f"), Name: ptr("live")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("f:live"), Payload: []byte(`{}`)})
	pe = requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:live", pe.Message)
}
