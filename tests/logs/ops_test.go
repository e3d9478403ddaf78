package logs_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// Conformance of the operations beside groups, streams and events: the older tag API,
// metric filters, subscription filters (delivering to real Lambda functions), resource
// policies, KMS keys and data protection policies.

func TestBoto3Operations(t *testing.T) {
	t.Parallel()
	sharedServer(t).Python(t, "testdata/boto3_logsops.py", uniqueName(t))
}

func TestLegacyTags(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	_, err := c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: &group, Tags: map[string]string{"a": "1", "b": "2"}})
	require.NoError(t, err)
	_, err = c.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: &group, Tags: []string{"a"}})
	require.NoError(t, err)
	out, err := c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: &group})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"b": "2"}, out.Tags)

	missing := group + "-missing"
	_, err = c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: &missing, Tags: map[string]string{"a": "1"}})
	requireNotFound(t, err, msgGroupNotFound, "TagLogGroup on a missing group")
	_, err = c.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: &missing, Tags: []string{"a"}})
	requireNotFound(t, err, msgGroupNotFound, "UntagLogGroup on a missing group")
	_, err = c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: &missing})
	requireNotFound(t, err, msgGroupNotFound, "ListTagsLogGroup on a missing group")
	_, err = c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: &group, Tags: map[string]string{"bad*key": "1"}})
	requireInvalidParameter(t, err, "", "TagLogGroup with a bad key")
}

func TestMetricFilters(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	ns := strings.ReplaceAll(strings.Trim(group, "/"), "/", "-")
	mt := []types.MetricTransformation{{MetricName: aws.String("Errors"), MetricNamespace: &ns, MetricValue: aws.String("1")}}
	for _, name := range []string{"b", "a", "c"} {
		_, err := c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: &group, FilterName: aws.String(name),
			FilterPattern: aws.String("ERROR"), MetricTransformations: mt})
		require.NoError(t, err)
	}
	var names []string
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: &group, Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, f := range page.MetricFilters {
			names = append(names, aws.ToString(f.FilterName))
		}
	}
	require.Equal(t, []string{"a", "b", "c"}, names)

	_, err := c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: &group, FilterName: aws.String("a")})
	require.NoError(t, err)
	_, err = c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: &group, FilterName: aws.String("a")})
	requireNotFound(t, err, "The specified metric filter does not exist.", "DeleteMetricFilter twice")
	missing := group + "-missing"
	_, err = c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: &missing})
	requireNotFound(t, err, msgGroupNotFound, "DescribeMetricFilters of a missing group")
	_, err = c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: &group, FilterName: aws.String("bad"),
		FilterPattern: aws.String(`{ $.x = `), MetricTransformations: mt})
	requireInvalidParameter(t, err, "", "PutMetricFilter with a bad pattern")
	_, err = c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricNamespace: &ns})
	requireInvalidParameter(t, err, "", "metricNamespace without metricName")
	_, err = c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{NextToken: aws.String("bogus")})
	requireInvalidParameter(t, err, "The specified nextToken is invalid.", "bad nextToken")

	tested, err := c.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: aws.String(`{ $.level = "error" }`),
		LogEventMessages: []string{`{"level":"info"}`, `{"level":"error"}`}})
	require.NoError(t, err)
	require.Len(t, tested.Matches, 1)
	require.Equal(t, int64(2), tested.Matches[0].EventNumber)
	require.Equal(t, `{"level":"error"}`, aws.ToString(tested.Matches[0].EventMessage))
}

func TestResourcePolicies(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := strings.ReplaceAll(strings.Trim(uniqueName(t), "/"), "/", "-")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"delivery.logs.amazonaws.com"},"Action":"logs:PutLogEvents","Resource":"*"}]}`
	out, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: &name, PolicyDocument: &doc})
	require.NoError(t, err)
	require.Equal(t, doc, aws.ToString(out.ResourcePolicy.PolicyDocument))
	require.NotNil(t, out.ResourcePolicy.LastUpdatedTime)

	found := false
	in := &cloudwatchlogs.DescribeResourcePoliciesInput{Limit: aws.Int32(1)}
	for {
		page, err := c.DescribeResourcePolicies(ctx, in)
		require.NoError(t, err)
		for _, rp := range page.ResourcePolicies {
			found = found || aws.ToString(rp.PolicyName) == name
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	require.True(t, found, "DescribeResourcePolicies lists %s", name)

	_, err = c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: &name})
	require.NoError(t, err)
	_, err = c.DeleteResourcePolicy(ctx, &cloudwatchlogs.DeleteResourcePolicyInput{PolicyName: &name})
	requireNotFound(t, err, fmt.Sprintf("Policy with name [%s] does not exist.", name), "DeleteResourcePolicy twice")
	_, err = c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: &name, PolicyDocument: aws.String("nope")})
	requireInvalidParameter(t, err, "", "a policy that is not JSON")
}

// TestResourcePolicyLimit fills one account's ten policies on a server of its own.
func TestResourcePolicyLimit(t *testing.T) {
	t.Parallel()
	c := client(virtualServer(t))
	ctx := t.Context()
	doc := aws.String(`{"Version":"2012-10-17","Statement":[]}`)
	for i := range 10 {
		_, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: doc})
		require.NoError(t, err)
	}
	_, err := c.PutResourcePolicy(ctx, &cloudwatchlogs.PutResourcePolicyInput{PolicyName: aws.String("p10"), PolicyDocument: doc})
	requireError[*types.LimitExceededException](t, err, "LimitExceededException", "Resource limit exceeded.", "eleventh resource policy")
}

func TestKMSKeyAndDataProtection(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	key := "arn:aws:kms:us-east-1:" + defaultAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	_, err := c.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: &group, KmsKeyId: &key})
	require.NoError(t, err)
	gs, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &group})
	require.NoError(t, err)
	require.Equal(t, key, aws.ToString(gs.LogGroups[0].KmsKeyId))
	_, err = c.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: &group})
	require.NoError(t, err)
	_, err = c.AssociateKmsKey(ctx, &cloudwatchlogs.AssociateKmsKeyInput{LogGroupName: &group, KmsKeyId: aws.String("not-a-key")})
	requireInvalidParameter(t, err, "", "AssociateKmsKey with a key that is not an ARN")
	missing := group + "-missing"
	_, err = c.DisassociateKmsKey(ctx, &cloudwatchlogs.DisassociateKmsKeyInput{LogGroupName: &missing})
	requireNotFound(t, err, msgGroupNotFound, "DisassociateKmsKey on a missing group")

	policy := `{"Name":"dp","Version":"2021-06-01","Statement":[]}`
	_, err = c.PutDataProtectionPolicy(ctx, &cloudwatchlogs.PutDataProtectionPolicyInput{LogGroupIdentifier: &group, PolicyDocument: &policy})
	require.NoError(t, err)
	got, err := c.GetDataProtectionPolicy(ctx, &cloudwatchlogs.GetDataProtectionPolicyInput{LogGroupIdentifier: &group})
	require.NoError(t, err)
	require.Equal(t, policy, aws.ToString(got.PolicyDocument))
	_, err = c.DeleteDataProtectionPolicy(ctx, &cloudwatchlogs.DeleteDataProtectionPolicyInput{LogGroupIdentifier: &group})
	require.NoError(t, err)
	_, err = c.GetDataProtectionPolicy(ctx, &cloudwatchlogs.GetDataProtectionPolicyInput{LogGroupIdentifier: &missing})
	requireNotFound(t, err, msgGroupNotFound, "GetDataProtectionPolicy on a missing group")
}

// lambdaClient returns an aws-sdk-go-v2 Lambda client for srv.
func lambdaClient(srv *harness.Server) *lambda.Client {
	id := harness.DefaultIdentity
	return lambda.New(lambda.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

// subscriberSource decodes CloudWatch Logs deliveries and prints one RECEIVED line per event.
const subscriberSource = `import base64, gzip, json

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    for e in data["logEvents"]:
        print("RECEIVED " + json.dumps({"logGroup": data["logGroup"], "filters": data["subscriptionFilters"], "message": e["message"]}))
`

// producerSource logs what it is given.
const producerSource = `def handler(event, context):
    print("PRODUCED " + event["say"])
    return "ok"
`

// mustPythonFunction creates a Python function from source and returns its ARN.
func mustPythonFunction(t *testing.T, lc *lambda.Client, name, source string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("app.py")
	require.NoError(t, err)
	_, err = w.Write([]byte(source))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	out, err := lc.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: &name, Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::" + defaultAccount + ":role/lambda-role"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = lc.DeleteFunction(t.Context(), &lambda.DeleteFunctionInput{FunctionName: &name}) })
	return aws.ToString(out.FunctionArn)
}

// received polls the log group of the subscriber function for n RECEIVED lines.
func received(t *testing.T, c *cloudwatchlogs.Client, subscriber string, n int) []map[string]any {
	t.Helper()
	var got []map[string]any
	require.Eventually(t, func() bool {
		out, err := c.FilterLogEvents(t.Context(), &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String("/aws/lambda/" + subscriber), FilterPattern: aws.String("RECEIVED")})
		if err != nil {
			return false
		}
		got = got[:0]
		for _, e := range out.Events {
			var m map[string]any
			_, js, _ := strings.Cut(aws.ToString(e.Message), "RECEIVED ")
			if json.Unmarshal([]byte(js), &m) == nil {
				got = append(got, m)
			}
		}
		return len(got) >= n
	}, 90*time.Second, 200*time.Millisecond, "the subscriber receives %d events", n)
	return got
}

// TestSubscriptionOfFunctionLogs subscribes a function to the log group of another: what
// the producer prints reaches the subscriber, decoded.
func TestSubscriptionOfFunctionLogs(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, lc := client(srv), lambdaClient(srv)
	ctx := t.Context()
	base := strings.ReplaceAll(strings.Trim(uniqueName(t), "/"), "/", "-")
	base = base[max(0, len(base)-40):]
	producer, subscriber := base+"-prod", base+"-sub"
	mustPythonFunction(t, lc, producer, producerSource)
	subARN := mustPythonFunction(t, lc, subscriber, subscriberSource)
	for _, fn := range []string{producer, subscriber} {
		w := lambda.NewFunctionActiveV2Waiter(lc)
		require.NoError(t, w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn)}, time.Minute))
	}

	// The producer's log group exists once it has run.
	_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: &producer, Payload: []byte(`{"say":"warming up"}`)})
	require.NoError(t, err)
	group := "/aws/lambda/" + producer
	// Function logs are written shortly after the invocation: wait for the warm-up line
	// itself, so that it is not delivered by the subscription made next.
	require.Eventually(t, func() bool {
		out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group, FilterPattern: aws.String(`"warming up"`)})
		return err == nil && len(out.Events) > 0
	}, 30*time.Second, 100*time.Millisecond, "the producer's warm-up line is logged")
	_, err = c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: &group, FilterName: aws.String("produced"),
		FilterPattern: aws.String("PRODUCED"), DestinationArn: &subARN})
	require.NoError(t, err)
	// The subscriber's own group is subscribed to itself too: its output must not loop.
	subGroup := "/aws/lambda/" + subscriber
	_, err = c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &subGroup})
	require.NoError(t, err)
	_, err = c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: &subGroup, FilterName: aws.String("self"),
		FilterPattern: aws.String(""), DestinationArn: &subARN})
	require.NoError(t, err)

	_, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: &producer, Payload: []byte(`{"say":"hello subscriber"}`)})
	require.NoError(t, err)
	got := received(t, c, subscriber, 1)
	require.Equal(t, group, got[0]["logGroup"])
	require.Equal(t, []any{"produced"}, got[0]["filters"])
	require.Contains(t, got[0]["message"], "PRODUCED hello subscriber")

	// A second round: by the time it arrives, output of the subscriber fed back to itself
	// would have arrived too.
	_, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: &producer, Payload: []byte(`{"say":"second"}`)})
	require.NoError(t, err)
	got = received(t, c, subscriber, 2)
	for _, m := range got {
		require.Equal(t, group, m["logGroup"], "the subscriber never receives its own output")
	}
}

// TestCLIOperations drives metric filters and resource policies with the AWS CLI.
func TestCLIOperations(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	group := uniqueName(t)
	ns := strings.ReplaceAll(strings.Trim(group, "/"), "/", "-")
	srv.MustAWS(t, nil, "logs", "create-log-group", "--log-group-name", group)
	srv.MustAWS(t, nil, "logs", "put-metric-filter", "--log-group-name", group, "--filter-name", "errors",
		"--filter-pattern", "ERROR", "--metric-transformations", "metricName=Errors,metricNamespace="+ns+",metricValue=1")
	var mfs struct {
		MetricFilters []struct {
			FilterName            string `json:"filterName"`
			LogGroupName          string `json:"logGroupName"`
			MetricTransformations []struct {
				MetricName string `json:"metricName"`
			} `json:"metricTransformations"`
		} `json:"metricFilters"`
	}
	srv.MustAWS(t, &mfs, "logs", "describe-metric-filters", "--log-group-name", group)
	require.Len(t, mfs.MetricFilters, 1)
	require.Equal(t, "errors", mfs.MetricFilters[0].FilterName)
	require.Equal(t, "Errors", mfs.MetricFilters[0].MetricTransformations[0].MetricName)

	var tested struct {
		Matches []struct {
			EventNumber     int               `json:"eventNumber"`
			ExtractedValues map[string]string `json:"extractedValues"`
		} `json:"matches"`
	}
	srv.MustAWS(t, &tested, "logs", "test-metric-filter", "--filter-pattern", "[level=ERROR, code]",
		"--log-event-messages", "INFO 1", "ERROR 42")
	require.Len(t, tested.Matches, 1)
	require.Equal(t, 2, tested.Matches[0].EventNumber)
	require.Equal(t, map[string]string{"$level": "ERROR", "$code": "42"}, tested.Matches[0].ExtractedValues)

	res := srv.AWS(t, "logs", "delete-subscription-filter", "--log-group-name", group, "--filter-name", "none")
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "ResourceNotFoundException")
	srv.MustAWS(t, nil, "logs", "delete-metric-filter", "--log-group-name", group, "--filter-name", "errors")
	srv.MustAWS(t, nil, "logs", "delete-log-group", "--log-group-name", group)
}
