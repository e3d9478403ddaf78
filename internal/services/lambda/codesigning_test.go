package lambda

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const testProfileARN = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/prof/abcdef1234"

// MustCSC creates a code signing config with policy ("" for the default) and returns its
// ARN.
func (b *testBundle) MustCSC(t *testing.T, policy string) string {
	t.Helper()
	in := &CreateCodeSigningConfigInput{AllowedPublishers: &AllowedPublishers{SigningProfileVersionARNs: []string{testProfileARN}}}
	if policy != "" {
		in.CodeSigningPolicies = &CodeSigningPolicies{UntrustedArtifactOnDeployment: ptr(policy)}
	}
	out, err := b.svc.CreateCodeSigningConfig(b.ctx, in)
	require.NoError(t, err)
	return *out.CodeSigningConfig.CodeSigningConfigARN
}

func TestCodeSigningConfigLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.CreateCodeSigningConfig(b.ctx, &CreateCodeSigningConfigInput{
		Description:       ptr("team signing"),
		AllowedPublishers: &AllowedPublishers{SigningProfileVersionARNs: []string{testProfileARN}},
		Tags:              map[string]string{"team": "a"},
	})
	require.NoError(t, err)
	c := out.CodeSigningConfig
	require.Regexp(t, `^csc-[0-9a-f]{17}$`, *c.CodeSigningConfigID)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:code-signing-config:"+*c.CodeSigningConfigID, *c.CodeSigningConfigARN)
	require.Equal(t, "team signing", *c.Description)
	require.Equal(t, []string{testProfileARN}, c.AllowedPublishers.SigningProfileVersionARNs)
	require.Equal(t, CodeSigningPolicyWarn, *c.CodeSigningPolicies.UntrustedArtifactOnDeployment)
	require.Equal(t, "2026-03-01T12:00:00.000+0000", *c.LastModified)
	arn := *c.CodeSigningConfigARN

	got, err := b.svc.GetCodeSigningConfig(b.ctx, &GetCodeSigningConfigInput{CodeSigningConfigARN: ptr(arn)})
	require.NoError(t, err)
	require.Equal(t, c, got.CodeSigningConfig)

	up, err := b.svc.UpdateCodeSigningConfig(b.ctx, &UpdateCodeSigningConfigInput{
		CodeSigningConfigARN: ptr(arn),
		CodeSigningPolicies:  &CodeSigningPolicies{UntrustedArtifactOnDeployment: ptr(CodeSigningPolicyEnforce)},
	})
	require.NoError(t, err)
	require.Equal(t, CodeSigningPolicyEnforce, *up.CodeSigningConfig.CodeSigningPolicies.UntrustedArtifactOnDeployment)
	require.Equal(t, "team signing", *up.CodeSigningConfig.Description)

	_, err = b.svc.DeleteCodeSigningConfig(b.ctx, &DeleteCodeSigningConfigInput{CodeSigningConfigARN: ptr(arn)})
	require.NoError(t, err)
	_, err = b.svc.GetCodeSigningConfig(b.ctx, &GetCodeSigningConfigInput{CodeSigningConfigARN: ptr(arn)})
	pe := requireCode(t, err, ErrCodeResourceNotFoundException)
	require.Equal(t, "The Lambda code signing configuration "+arn+" can not be found.", pe.Message)
	_, err = b.svc.UpdateCodeSigningConfig(b.ctx, &UpdateCodeSigningConfigInput{CodeSigningConfigARN: ptr(arn), Description: ptr("x")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteCodeSigningConfig(b.ctx, &DeleteCodeSigningConfigInput{CodeSigningConfigARN: ptr(arn)})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// Another region's config is not visible.
	other := "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	_, err = b.svc.GetCodeSigningConfig(b.ctx, &GetCodeSigningConfigInput{CodeSigningConfigARN: ptr(other)})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestListCodeSigningConfigsPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	want := map[string]bool{}
	for range 3 {
		want[b.MustCSC(t, "")] = true
	}
	got := map[string]bool{}
	var marker *string
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		out, err := b.svc.ListCodeSigningConfigs(b.ctx, &ListCodeSigningConfigsInput{MaxItems: ptr(int32(2)), Marker: marker})
		require.NoError(t, err)
		require.LessOrEqual(t, len(out.CodeSigningConfigs), 2)
		for _, c := range out.CodeSigningConfigs {
			got[*c.CodeSigningConfigARN] = true
		}
		if out.NextMarker == nil {
			break
		}
		marker = out.NextMarker
	}
	require.Equal(t, want, got)
	_, err := b.svc.ListCodeSigningConfigs(b.ctx, &ListCodeSigningConfigsInput{Marker: ptr("bogus")})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
}

func TestFunctionCodeSigningConfig(t *testing.T) {
	t.Parallel()
	b := setup(t)
	warn := b.MustCSC(t, CodeSigningPolicyWarn)
	b.MustCreate(t, "f")

	got, err := b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	// AWS answers an empty object for a function without a config.
	require.Nil(t, got.CodeSigningConfigARN)
	require.Nil(t, got.FunctionName)

	put, err := b.svc.PutFunctionCodeSigningConfig(b.ctx, &PutFunctionCodeSigningConfigInput{FunctionName: ptr("f"), CodeSigningConfigARN: ptr(warn)})
	require.NoError(t, err)
	require.Equal(t, warn, *put.CodeSigningConfigARN)
	got, err = b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("arn:aws:lambda:us-east-1:123456789012:function:f")})
	require.NoError(t, err)
	require.Equal(t, warn, *got.CodeSigningConfigARN)

	// Warn accepts unsigned code.
	_, err = b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: MustZip(t, map[string]string{"app.py": testHandler})})
	require.NoError(t, err)
	in := createInput(t, "g")
	in.CodeSigningConfigARN = ptr(warn)
	_, err = b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)

	list, err := b.svc.ListFunctionsByCodeSigningConfig(b.ctx, &ListFunctionsByCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn)})
	require.NoError(t, err)
	require.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:g"}, list.FunctionARNs)
	page, err := b.svc.ListFunctionsByCodeSigningConfig(b.ctx, &ListFunctionsByCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn), MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, page.FunctionARNs, 1)
	require.NotNil(t, page.NextMarker)
	page, err = b.svc.ListFunctionsByCodeSigningConfig(b.ctx, &ListFunctionsByCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn), Marker: page.NextMarker})
	require.NoError(t, err)
	require.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:g"}, page.FunctionARNs)
	require.Nil(t, page.NextMarker)

	// A config in use is not deleted.
	_, err = b.svc.DeleteCodeSigningConfig(b.ctx, &DeleteCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn)})
	requireCode(t, err, ErrCodeResourceConflictException)

	// Detaching, and deleting the function, free it.
	_, err = b.svc.DeleteFunctionCodeSigningConfig(b.ctx, &DeleteFunctionCodeSigningConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	got, err = b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Nil(t, got.CodeSigningConfigARN)
	_, err = b.svc.DeleteFunction(b.ctx, &DeleteFunctionInput{FunctionName: ptr("g")})
	require.NoError(t, err)
	list, err = b.svc.ListFunctionsByCodeSigningConfig(b.ctx, &ListFunctionsByCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn)})
	require.NoError(t, err)
	require.Empty(t, list.FunctionARNs)
	_, err = b.svc.DeleteCodeSigningConfig(b.ctx, &DeleteCodeSigningConfigInput{CodeSigningConfigARN: ptr(warn)})
	require.NoError(t, err)
}

func TestCodeSigningEnforceRefusesUnsignedCode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	enforce := b.MustCSC(t, CodeSigningPolicyEnforce)
	in := createInput(t, "e")
	in.CodeSigningConfigARN = ptr(enforce)
	_, err := b.svc.CreateFunction(b.ctx, in)
	pe := requireCode(t, err, ErrCodeCodeVerificationFailedException)
	require.Equal(t, 400, pe.Status)
	require.Equal(t, "Lambda cannot deploy the function. The function or layer might be signed using a signature that the client is not configured to accept. Check the provided signature for arn:aws:lambda:us-east-1:123456789012:function:e.", pe.Message)
	_, err = b.svc.GetFunction(b.ctx, &GetFunctionInput{FunctionName: ptr("e")})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	// Attached later, Enforce refuses the next deployment and leaves the code as it was.
	created := b.MustCreate(t, "f")
	_, err = b.svc.PutFunctionCodeSigningConfig(b.ctx, &PutFunctionCodeSigningConfigInput{FunctionName: ptr("f"), CodeSigningConfigARN: ptr(enforce)})
	require.NoError(t, err)
	_, err = b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: ptr("f"), ZipFile: MustZip(t, map[string]string{"app.py": "x = 1\n"})})
	requireCode(t, err, ErrCodeCodeVerificationFailedException)
	// Layers are refused as unsigned code is; other configuration changes are not.
	layer := b.MustPublishLayer(t, "shared", map[string]string{"python/shared.py": "X = 1\n"}, nil)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), Layers: []string{*layer.LayerVersionARN}})
	requireCode(t, err, ErrCodeCodeVerificationFailedException)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: ptr("f"), Description: ptr("still configurable")})
	require.NoError(t, err)
	cfg, err := b.svc.GetFunctionConfiguration(b.ctx, &GetFunctionConfigurationInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Equal(t, *created.CodeSha256, *cfg.CodeSha256)
	require.Empty(t, cfg.Layers)
}

func TestCodeSigningConfigErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "f")
	missing := "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"put unknown config", func() error {
			_, err := b.svc.PutFunctionCodeSigningConfig(b.ctx, &PutFunctionCodeSigningConfigInput{FunctionName: ptr("f"), CodeSigningConfigARN: ptr(missing)})
			return err
		}, ErrCodeCodeSigningConfigNotFoundException},
		{"create with unknown config", func() error {
			in := createInput(t, "g")
			in.CodeSigningConfigARN = ptr(missing)
			_, err := b.svc.CreateFunction(b.ctx, in)
			return err
		}, ErrCodeCodeSigningConfigNotFoundException},
		{"put unknown function", func() error {
			arn := b.MustCSC(t, "")
			_, err := b.svc.PutFunctionCodeSigningConfig(b.ctx, &PutFunctionCodeSigningConfigInput{FunctionName: ptr("nope"), CodeSigningConfigARN: ptr(arn)})
			return err
		}, ErrCodeResourceNotFoundException},
		{"get unknown function", func() error {
			_, err := b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("nope")})
			return err
		}, ErrCodeResourceNotFoundException},
		{"delete unknown function", func() error {
			_, err := b.svc.DeleteFunctionCodeSigningConfig(b.ctx, &DeleteFunctionCodeSigningConfigInput{FunctionName: ptr("nope")})
			return err
		}, ErrCodeResourceNotFoundException},
		{"qualified function", func() error {
			_, err := b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("f:1")})
			return err
		}, ErrCodeInvalidParameterValueException},
		{"list by unknown config", func() error {
			_, err := b.svc.ListFunctionsByCodeSigningConfig(b.ctx, &ListFunctionsByCodeSigningConfigInput{CodeSigningConfigARN: ptr(missing)})
			return err
		}, ErrCodeResourceNotFoundException},
		{"malformed arn", func() error {
			_, err := b.svc.GetCodeSigningConfig(b.ctx, &GetCodeSigningConfigInput{CodeSigningConfigARN: ptr("csc-1")})
			return err
		}, ErrCodeInvalidParameterValueException},
		{"too many tags", func() error {
			tags := map[string]string{}
			for i := range maxTags + 1 {
				tags[fmt.Sprint("k", i)] = "v"
			}
			_, err := b.svc.CreateCodeSigningConfig(b.ctx, &CreateCodeSigningConfigInput{AllowedPublishers: &AllowedPublishers{SigningProfileVersionARNs: []string{testProfileARN}}, Tags: tags})
			return err
		}, ErrCodeInvalidParameterValueException},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, tt.call(), tt.wantCode)
		})
	}
	_, err := b.svc.PutFunctionCodeSigningConfig(b.ctx, &PutFunctionCodeSigningConfigInput{FunctionName: ptr("f"), CodeSigningConfigARN: ptr(missing)})
	pe := requireCode(t, err, ErrCodeCodeSigningConfigNotFoundException)
	require.Equal(t, "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "+missing+".", pe.Message)
	require.Equal(t, 404, pe.Status)
	got, err := b.svc.GetFunctionCodeSigningConfig(b.ctx, &GetFunctionCodeSigningConfigInput{FunctionName: ptr("f")})
	require.NoError(t, err)
	require.Nil(t, got.CodeSigningConfigARN)
}
