package lambda_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

func TestAliasPermissionConcurrency(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)}, Publish: true,
	})
	require.NoError(t, err)

	alias, err := c.CreateAlias(t.Context(), &lambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:us-east-1:"+defaultAccount+":function:"+name+":live", aws.ToString(alias.AliasArn))
	_, err = c.CreateAlias(t.Context(), &lambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	requireError[*types.ResourceConflictException](t, err, "ResourceConflictException", 409)
	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("live"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(out.ExecutedVersion))
	aliases, err := c.ListAliases(t.Context(), &lambda.ListAliasesInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, aliases.Aliases, 1)
	_, err = c.GetAlias(t.Context(), &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String("gone")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	_, err = c.AddPermission(t.Context(), &lambda.AddPermissionInput{
		FunctionName: aws.String(name), StatementId: aws.String("sns"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("sns.amazonaws.com"), SourceArn: aws.String("arn:aws:sns:us-east-1:" + defaultAccount + ":topic"),
	})
	require.NoError(t, err)
	pol, err := c.GetPolicy(t.Context(), &lambda.GetPolicyInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Sid       string
			Principal map[string]string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
	require.Len(t, doc.Statement, 1)
	require.Equal(t, "sns.amazonaws.com", doc.Statement[0].Principal["Service"])
	_, err = c.RemovePermission(t.Context(), &lambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("sns")})
	require.NoError(t, err)
	_, err = c.GetPolicy(t.Context(), &lambda.GetPolicyInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)

	_, err = c.PutFunctionConcurrency(t.Context(), &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(0)})
	require.NoError(t, err)
	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
	var tm *types.TooManyRequestsException
	requireError[*types.TooManyRequestsException](t, err, "TooManyRequestsException", 429)
	require.ErrorAs(t, err, &tm)
	require.Equal(t, types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded, tm.Reason)
	_, err = c.DeleteFunctionConcurrency(t.Context(), &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)})
	require.NoError(t, err)

	settings, err := c.GetAccountSettings(t.Context(), &lambda.GetAccountSettingsInput{})
	require.NoError(t, err)
	require.Equal(t, int32(1000), settings.AccountLimit.ConcurrentExecutions)
	require.GreaterOrEqual(t, settings.AccountUsage.FunctionCount, int64(1))
}
