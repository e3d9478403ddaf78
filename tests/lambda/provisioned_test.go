package lambda_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestProvisionedConcurrencyBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/boto3_provisioned.py", uniqueName(t))
	require.Contains(t, out, "ok")
}

// waitReady polls GetProvisionedConcurrencyConfig until the config leaves IN_PROGRESS.
func waitReady(t *testing.T, c *lambda.Client, name, qualifier string) *lambda.GetProvisionedConcurrencyConfigOutput {
	t.Helper()
	var out *lambda.GetProvisionedConcurrencyConfigOutput
	require.Eventually(t, func() bool {
		var err error
		out, err = c.GetProvisionedConcurrencyConfig(t.Context(), &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(name), Qualifier: aws.String(qualifier)})
		require.NoError(t, err)
		return out.Status != types.ProvisionedConcurrencyStatusEnumInProgress
	}, 30*time.Second, 50*time.Millisecond)
	return out
}

// initMarks counts the log lines the function's module prints when an environment
// initialises.
func initMarks(t *testing.T, srv *harness.Server, name string) int {
	t.Helper()
	id := harness.DefaultIdentity
	logc := cloudwatchlogs.New(cloudwatchlogs.Options{
		Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
	})
	out, err := logc.FilterLogEvents(t.Context(), &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/" + name), FilterPattern: aws.String("INIT_MARK"),
	})
	if err != nil {
		return 0 // no log group yet
	}
	return len(out.Events)
}

func TestProvisionedConcurrencyRestoredAfterRestart(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := client(srv)
	name := uniqueName(t)
	src := "import os\nprint('INIT_MARK', os.getpid())\nINIT_TYPE = os.environ.get('AWS_LAMBDA_INITIALIZATION_TYPE')\n" +
		"def handler(event, context):\n    return INIT_TYPE\n"
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role), Handler: aws.String("app.handler"),
		Code: &types.FunctionCode{ZipFile: zipFiles(t, map[string]string{"app.py": src})}, Publish: true,
	})
	require.NoError(t, err)
	_, err = c.PutProvisionedConcurrencyConfig(t.Context(), &lambda.PutProvisionedConcurrencyConfigInput{
		FunctionName: aws.String(name), Qualifier: aws.String("1"), ProvisionedConcurrentExecutions: aws.Int32(1),
	})
	require.NoError(t, err)
	require.Equal(t, types.ProvisionedConcurrencyStatusEnumReady, waitReady(t, c, name, "1").Status)
	require.Eventually(t, func() bool { return initMarks(t, srv, name) == 1 }, 30*time.Second, 100*time.Millisecond)

	srv.Restart(t)
	c = client(srv)
	// Nobody asks Lambda anything: the stored config alone initialises an environment
	// again, which prints its mark.
	require.Eventually(t, func() bool { return initMarks(t, srv, name) == 2 }, 30*time.Second, 100*time.Millisecond)
	got := waitReady(t, c, name, "1")
	require.Equal(t, types.ProvisionedConcurrencyStatusEnumReady, got.Status)
	require.Equal(t, int32(1), aws.ToInt32(got.AllocatedProvisionedConcurrentExecutions))
	out, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String(name), Qualifier: aws.String("1"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	var initType string
	require.NoError(t, json.Unmarshal(out.Payload, &initType))
	require.Equal(t, "provisioned-concurrency", initType)
	require.Equal(t, 2, initMarks(t, srv, name), "the invocation reused the provisioned environment")

	// Configs go with their function.
	_, err = c.DeleteFunction(t.Context(), &lambda.DeleteFunctionInput{FunctionName: aws.String(name)})
	require.NoError(t, err)
	_, err = c.ListProvisionedConcurrencyConfigs(t.Context(), &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String(name)})
	ae := requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	require.True(t, strings.HasPrefix(ae.ErrorMessage(), "Function not found"), ae.ErrorMessage())
}
