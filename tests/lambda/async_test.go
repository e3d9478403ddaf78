package lambda_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestAsyncBoto3 drives event invoke configs, dead-letter queues and destinations through
// boto3 on a server whose retries are 1,000 times shorter than AWS's.
func TestAsyncBoto3(t *testing.T) {
	t.Parallel()
	if os.Getenv("OVERCAST_TEST_ENDPOINT") != "" {
		t.Skip("needs a server started with --retry-scale; OVERCAST_TEST_ENDPOINT is external")
	}
	srv := harness.Start(t, harness.Options{Args: []string{"--retry-scale", "0.001"}})
	out := srv.Python(t, "testdata/boto3_async.py", uniqueName(t), filepath.Join("testdata", "app.py"))
	require.Contains(t, out, "ok")
}

// TestEventInvokeConfigErrors checks the event invoke config operations' errors as
// aws-sdk-go-v2 decodes them.
func TestEventInvokeConfigErrors(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	c := client(srv)
	name := uniqueName(t)
	_, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
	})
	require.NoError(t, err)

	_, err = c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	_, err = c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name),
		DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String("arn:aws:s3:::bucket")}}})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name + "-dlq"), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		DeadLetterConfig: &types.DeadLetterConfig{TargetArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/t")},
	})
	requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)

	put, err := c.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name),
		MaximumRetryAttempts: aws.Int32(0), MaximumEventAgeInSeconds: aws.Int32(60)})
	require.NoError(t, err)
	require.Equal(t, int32(0), aws.ToInt32(put.MaximumRetryAttempts))
	require.Equal(t, int32(60), aws.ToInt32(put.MaximumEventAgeInSeconds))
	require.NotNil(t, put.LastModified)
	list, err := c.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, list.FunctionEventInvokeConfigs, 1)
	_, err = c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	_, err = c.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
}
