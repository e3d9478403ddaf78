package lambda_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

const signingProfile = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/overcast/abcdef0123"

// TestSettingsBoto3 runs testdata/boto3_config.py: code signing configs, recursion,
// runtime management, scaling configs and InvokeAsync through boto3.
func TestSettingsBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_config.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}

// createCSC creates a code signing config with policy and returns its ARN.
func createCSC(t *testing.T, c *lambda.Client, policy types.CodeSigningPolicy) string {
	t.Helper()
	out, err := c.CreateCodeSigningConfig(t.Context(), &lambda.CreateCodeSigningConfigInput{
		AllowedPublishers:   &types.AllowedPublishers{SigningProfileVersionArns: []string{signingProfile}},
		CodeSigningPolicies: &types.CodeSigningPolicies{UntrustedArtifactOnDeployment: policy},
	})
	require.NoError(t, err)
	return aws.ToString(out.CodeSigningConfig.CodeSigningConfigArn)
}

// TestCodeSigningSDK drives code signing configs through aws-sdk-go-v2, with the errors
// it decodes.
func TestCodeSigningSDK(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	ctx := t.Context()
	name := uniqueName(t)
	warn := createCSC(t, c, types.CodeSigningPolicyWarn)
	enforce := createCSC(t, c, types.CodeSigningPolicyEnforce)

	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		CodeSigningConfigArn: aws.String(enforce),
	})
	requireError[*types.CodeVerificationFailedException](t, err, "CodeVerificationFailedException", 400)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		CodeSigningConfigArn: aws.String(warn),
	})
	got, err := c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, warn, aws.ToString(got.CodeSigningConfigArn))
	require.Equal(t, name, aws.ToString(got.FunctionName))

	byCSC, err := c.ListFunctionsByCodeSigningConfig(ctx, &lambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(warn)})
	require.NoError(t, err)
	require.Equal(t, []string{"arn:aws:lambda:us-east-1:" + defaultAccount + ":function:" + name}, byCSC.FunctionArns)

	_, err = c.DeleteCodeSigningConfig(ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(warn)})
	requireError[*types.ResourceConflictException](t, err, "ResourceConflictException", 409)

	_, err = c.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String(name), CodeSigningConfigArn: aws.String(enforce)})
	require.NoError(t, err)
	_, err = c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: handlerZip(t)})
	requireError[*types.CodeVerificationFailedException](t, err, "CodeVerificationFailedException", 400)

	missing := "arn:aws:lambda:us-east-1:" + defaultAccount + ":code-signing-config:csc-0123456789abcdef0"
	_, err = c.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String(name), CodeSigningConfigArn: aws.String(missing)})
	requireError[*types.CodeSigningConfigNotFoundException](t, err, "CodeSigningConfigNotFoundException", 404)
	_, err = c.GetCodeSigningConfig(ctx, &lambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(missing)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name + "-none")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	// Deleting the function frees both configs.
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	for _, arn := range []string{warn, enforce} {
		_, err = c.DeleteCodeSigningConfig(ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
		require.NoError(t, err)
	}
}

// TestFunctionSettingsSDK drives recursion, runtime management, scaling configs and
// InvokeAsync through aws-sdk-go-v2.
func TestFunctionSettingsSDK(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	ctx := t.Context()
	name := uniqueName(t)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)}, Publish: true,
	})

	rec, err := c.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.RecursiveLoopTerminate, rec.RecursiveLoop)
	_, err = c.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String(name), RecursiveLoop: "Sometimes"})
	requireError[smithy.APIError](t, err, "ValidationException", 400)
	_, err = c.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String(name + "-x"), RecursiveLoop: types.RecursiveLoopAllow})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	rv := "arn:aws:lambda:us-east-1::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	put, err := c.PutRuntimeManagementConfig(ctx, &lambda.PutRuntimeManagementConfigInput{
		FunctionName: aws.String(name), Qualifier: aws.String("1"), UpdateRuntimeOn: types.UpdateRuntimeOnManual, RuntimeVersionArn: aws.String(rv),
	})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name+":1", aws.ToString(put.FunctionArn))
	rm, err := c.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("1")})
	require.NoError(t, err)
	require.Equal(t, types.UpdateRuntimeOnManual, rm.UpdateRuntimeOn)
	require.Equal(t, rv, aws.ToString(rm.RuntimeVersionArn))
	_, err = c.PutRuntimeManagementConfig(ctx, &lambda.PutRuntimeManagementConfigInput{
		FunctionName: aws.String(name), UpdateRuntimeOn: types.UpdateRuntimeOnAuto, RuntimeVersionArn: aws.String(rv),
	})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	_, err = c.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name), Qualifier: aws.String("5")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	_, err = c.PutFunctionScalingConfig(ctx, &lambda.PutFunctionScalingConfigInput{
		FunctionName: aws.String(name), Qualifier: aws.String("1"),
		FunctionScalingConfig: &types.FunctionScalingConfig{MinExecutionEnvironments: aws.Int32(1), MaxExecutionEnvironments: aws.Int32(2)},
	})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)

	out, err := c.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String(name), InvokeArgs: bytes.NewReader([]byte(`{"via":"sdk"}`))})
	require.NoError(t, err)
	require.Equal(t, int32(202), out.Status)
	_, err = c.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String(name), InvokeArgs: bytes.NewReader([]byte(`{oops`))})
	requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)
	logMessages(t, srv, name, false, "hello from "+name)
}

// TestFunctionSettingsCLI drives the settings through the AWS CLI.
func TestFunctionSettingsCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	name := uniqueName(t)
	createFunction(t, client(srv), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	var csc struct {
		CodeSigningConfig struct{ CodeSigningConfigArn string }
	}
	srv.MustAWS(t, &csc, "lambda", "create-code-signing-config", "--allowed-publishers", "SigningProfileVersionArns="+signingProfile,
		"--code-signing-policies", "UntrustedArtifactOnDeployment=Warn")
	arn := csc.CodeSigningConfig.CodeSigningConfigArn
	require.NotEmpty(t, arn)
	var put struct{ CodeSigningConfigArn, FunctionName string }
	srv.MustAWS(t, &put, "lambda", "put-function-code-signing-config", "--function-name", name, "--code-signing-config-arn", arn)
	require.Equal(t, arn, put.CodeSigningConfigArn)
	requireCLIError(t, srv.AWS(t, "lambda", "delete-code-signing-config", "--code-signing-config-arn", arn),
		"ResourceConflictException", "DeleteCodeSigningConfig", "used by one or more functions")

	var rec struct{ RecursiveLoop string }
	srv.MustAWS(t, &rec, "lambda", "put-function-recursion-config", "--function-name", name, "--recursive-loop", "Allow")
	require.Equal(t, "Allow", rec.RecursiveLoop)
	var rm struct{ UpdateRuntimeOn, FunctionArn string }
	srv.MustAWS(t, &rm, "lambda", "put-runtime-management-config", "--function-name", name, "--update-runtime-on", "FunctionUpdate")
	require.Equal(t, "FunctionUpdate", rm.UpdateRuntimeOn)
	requireCLIError(t, srv.AWS(t, "lambda", "get-function-recursion-config", "--function-name", name+"-x"),
		"ResourceNotFoundException", "GetFunctionRecursionConfig", "Function not found")

	var async struct{ Status int }
	srv.MustAWS(t, &async, "lambda", "invoke-async", "--function-name", name, "--invoke-args", writeSettingsArgs(t, `{"via":"cli"}`))
	require.Equal(t, 202, async.Status)
}

// writeSettingsArgs writes body to a file of the test's temporary directory and returns its path.
func writeSettingsArgs(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "args.json")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// TestFunctionSettingsSurviveRestart checks that code signing configs and function
// settings are stored, and go with their function.
func TestFunctionSettingsSurviveRestart(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := client(srv)
	ctx := t.Context()
	name := uniqueName(t)
	warn := createCSC(t, c, types.CodeSigningPolicyWarn)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		CodeSigningConfigArn: aws.String(warn),
	})
	_, err := c.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: aws.String(name), RecursiveLoop: types.RecursiveLoopAllow})
	require.NoError(t, err)
	_, err = c.PutRuntimeManagementConfig(ctx, &lambda.PutRuntimeManagementConfigInput{FunctionName: aws.String(name), UpdateRuntimeOn: types.UpdateRuntimeOnFunctionUpdate})
	require.NoError(t, err)

	srv.Restart(t)
	c = client(srv)
	require.NoError(t, lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))
	got, err := c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, warn, aws.ToString(got.CodeSigningConfigArn))
	rec, err := c.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.RecursiveLoopAllow, rec.RecursiveLoop)
	rm, err := c.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.UpdateRuntimeOnFunctionUpdate, rm.UpdateRuntimeOn)

	// Recreated under the same name, the function starts from the defaults.
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	createFunction(t, c, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	rec, err = c.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.RecursiveLoopTerminate, rec.RecursiveLoop)
	got, err = c.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "", aws.ToString(got.CodeSigningConfigArn))
	_, err = c.DeleteCodeSigningConfig(ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(warn)})
	require.NoError(t, err)
}
