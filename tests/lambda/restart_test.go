package lambda_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestFunctionsSurviveRestart(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := client(srv)
	name := uniqueName(t)
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: handlerZip(t)}, Publish: true,
	})
	require.NoError(t, err)
	_, err = c.PutFunctionConcurrency(t.Context(), &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(0)})
	require.NoError(t, err)

	srv.Restart(t)
	c = client(srv)
	require.NoError(t, lambda.NewFunctionActiveV2Waiter(c).Wait(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 30*time.Second))
	// The reservation is restored from the store: still throttled.
	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
	requireError[*types.TooManyRequestsException](t, err, "TooManyRequestsException", 429)
	_, err = c.DeleteFunctionConcurrency(t.Context(), &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(name)})
	require.NoError(t, err)

	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("1"), Payload: []byte(`{"after":"restart"}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError)
	var res map[string]any
	require.NoError(t, json.Unmarshal(out.Payload, &res))
	require.Equal(t, map[string]any{"after": "restart"}, res["echo"])
	require.Equal(t, "1", aws.ToString(out.ExecutedVersion))
}
