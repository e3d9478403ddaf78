package logs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// Conformance of destinations (the receiving end of cross-account subscriptions) and
// account policies.

// senderAccount is a second account: a 12-digit access key is that account.
const senderAccount = "210987654321"

// clientAs returns a CloudWatch Logs client for srv signing with accessKey.
func clientAs(srv *harness.Server, accessKey string) *cloudwatchlogs.Client {
	id := harness.DefaultIdentity
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

// uniqueDestination returns a destination name unique to this test run.
func uniqueDestination(t *testing.T) string {
	t.Helper()
	return strings.ReplaceAll(strings.Trim(uniqueName(t), "/"), "/", "-")
}

const msgDestinationNotFound = "The specified destination does not exist."

func TestBoto3DestinationsAndAccountPolicies(t *testing.T) {
	t.Parallel()
	// Account policies of some types are one per account: the script has a server of its own.
	harness.Start(t, harness.Options{}).Python(t, "testdata/boto3_destinations.py", uniqueDestination(t))
}

func TestDestinations(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueDestination(t)
	const (
		role   = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
		stream = "arn:aws:kinesis:us-east-1:123456789012:stream/RecipientStream"
	)
	out, err := c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: &name, TargetArn: aws.String(stream),
		RoleArn: aws.String(role), Tags: map[string]string{"team": "logs"}})
	require.NoError(t, err)
	d := out.Destination
	require.Equal(t, name, aws.ToString(d.DestinationName))
	require.Equal(t, "arn:aws:logs:us-east-1:"+defaultAccount+":destination:"+name, aws.ToString(d.Arn))
	require.Equal(t, stream, aws.ToString(d.TargetArn))
	require.Equal(t, role, aws.ToString(d.RoleArn))
	require.InDelta(t, nowMs(), aws.ToInt64(d.CreationTime), 60_000)
	require.Nil(t, d.AccessPolicy)

	// Destinations are tagged by ARN.
	tags, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: d.Arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "logs"}, tags.Tags)
	_, err = c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: d.Arn, Tags: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	_, err = c.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: d.Arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: d.Arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"env": "dev"}, tags.Tags)
	_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(d.Arn) + "-missing")})
	requireNotFound(t, err, "The specified resource does not exist.", "ListTagsForResource of a missing destination")

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + senderAccount + `"},"Action":"logs:PutSubscriptionFilter","Resource":"` + aws.ToString(d.Arn) + `"}]}`
	_, err = c.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: &name, AccessPolicy: &policy, ForceUpdate: aws.Bool(true)})
	require.NoError(t, err)

	for _, suffix := range []string{"-b", "-a"} {
		_, err = c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: aws.String(name + suffix), TargetArn: aws.String(stream), RoleArn: aws.String(role)})
		require.NoError(t, err)
	}
	var names []string
	pages := cloudwatchlogs.NewDescribeDestinationsPaginator(c, &cloudwatchlogs.DescribeDestinationsInput{DestinationNamePrefix: &name, Limit: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Destinations), 2)
		for _, d := range page.Destinations {
			names = append(names, aws.ToString(d.DestinationName))
			if aws.ToString(d.DestinationName) == name {
				require.Equal(t, policy, aws.ToString(d.AccessPolicy))
			}
		}
	}
	require.Equal(t, []string{name, name + "-a", name + "-b"}, names)

	// Errors: each changes nothing.
	_, err = c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: &name, TargetArn: aws.String("stream"), RoleArn: aws.String(role)})
	requireInvalidParameter(t, err, "Invalid targetArn: stream", "PutDestination with a target that is no ARN")
	_, err = c.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: &name, AccessPolicy: aws.String("{")})
	requireInvalidParameter(t, err, "Access policy is not a valid JSON document.", "PutDestinationPolicy with broken JSON")
	_, err = c.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: aws.String(name + "-missing"), AccessPolicy: &policy})
	requireNotFound(t, err, msgDestinationNotFound, "PutDestinationPolicy of a missing destination")
	_, err = c.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{NextToken: aws.String("not-a-token")})
	requireInvalidParameter(t, err, "", "DescribeDestinations with a bad token")
	_, err = c.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{Limit: aws.Int32(0)})
	requireInvalidParameter(t, err, "", "DescribeDestinations with limit 0")
	got, err := c.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{DestinationNamePrefix: &name, Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Equal(t, stream, aws.ToString(got.Destinations[0].TargetArn))

	for _, n := range []string{name, name + "-a", name + "-b"} {
		_, err = c.DeleteDestination(ctx, &cloudwatchlogs.DeleteDestinationInput{DestinationName: aws.String(n)})
		require.NoError(t, err)
	}
	_, err = c.DeleteDestination(ctx, &cloudwatchlogs.DeleteDestinationInput{DestinationName: &name})
	requireNotFound(t, err, msgDestinationNotFound, "DeleteDestination twice")
	got, err = c.DescribeDestinations(ctx, &cloudwatchlogs.DescribeDestinationsInput{DestinationNamePrefix: &name})
	require.NoError(t, err)
	require.Empty(t, got.Destinations)
}

// TestSubscriptionThroughDestination subscribes a log group of a sender account to a
// destination of the default account that forwards to a Lambda function: the function
// receives the sender's events once the destination's access policy lets it subscribe.
func TestSubscriptionThroughDestination(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, lc, sc := client(srv), lambdaClient(srv), clientAs(srv, senderAccount)
	ctx := t.Context()
	base := uniqueDestination(t)
	subscriber := base[max(0, len(base)-40):] + "-sub"
	fnARN := mustPythonFunction(t, lc, subscriber, subscriberSource)
	require.NoError(t, lambda.NewFunctionActiveV2Waiter(lc).Wait(ctx, &lambda.GetFunctionInput{FunctionName: &subscriber}, time.Minute))

	dest := base
	out, err := c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: &dest, TargetArn: &fnARN,
		RoleArn: aws.String("arn:aws:iam::" + defaultAccount + ":role/logs-role")})
	require.NoError(t, err)
	destARN := aws.ToString(out.Destination.Arn)
	t.Cleanup(func() {
		_, _ = c.DeleteDestination(t.Context(), &cloudwatchlogs.DeleteDestinationInput{DestinationName: &dest})
	})

	group := uniqueName(t)
	_, err = sc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group})
	require.NoError(t, err)
	_, err = sc.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: aws.String("s")})
	require.NoError(t, err)
	filter := &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: &group, FilterName: aws.String("to-recipient"),
		FilterPattern: aws.String("ERROR"), DestinationArn: &destARN}

	// No access policy yet: the sender may not subscribe.
	_, err = sc.PutSubscriptionFilter(ctx, filter)
	requireError[*types.AccessDeniedException](t, err, "AccessDeniedException",
		"User with accountId: "+senderAccount+" is not authorized to perform: logs:PutSubscriptionFilter on resource: "+destARN,
		"subscribing without an access policy")

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + senderAccount + `"},"Action":"logs:PutSubscriptionFilter","Resource":"` + destARN + `"}]}`
	_, err = c.PutDestinationPolicy(ctx, &cloudwatchlogs.PutDestinationPolicyInput{DestinationName: &dest, AccessPolicy: &policy})
	require.NoError(t, err)
	_, err = sc.PutSubscriptionFilter(ctx, filter)
	require.NoError(t, err)

	_, err = sc.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"),
		LogEvents: events([]int64{nowMs(), nowMs()}, "INFO skipped", "ERROR crossed accounts")})
	require.NoError(t, err)
	got := received(t, c, subscriber, 1)
	require.Equal(t, group, got[0]["logGroup"])
	require.Equal(t, []any{"to-recipient"}, got[0]["filters"])
	require.Equal(t, "ERROR crossed accounts", got[0]["message"])

	// A destination forwarding to Kinesis is refused at subscription time.
	kin := dest + "-kinesis"
	kout, err := c.PutDestination(ctx, &cloudwatchlogs.PutDestinationInput{DestinationName: &kin,
		TargetArn: aws.String("arn:aws:kinesis:us-east-1:" + defaultAccount + ":stream/s"), RoleArn: aws.String("arn:aws:iam::" + defaultAccount + ":role/logs-role")})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = c.DeleteDestination(t.Context(), &cloudwatchlogs.DeleteDestinationInput{DestinationName: &kin})
	})
	ownGroup := mustGroup(t, c)
	_, err = c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: &ownGroup, FilterName: aws.String("k"),
		FilterPattern: aws.String(""), DestinationArn: kout.Destination.Arn})
	requireInvalidParameter(t, err, "", "subscribing to a destination that forwards to Kinesis")
}

func TestAccountPolicies(t *testing.T) {
	t.Parallel()
	// One data protection and one subscription filter policy per account: a server of its own.
	srv := harness.Start(t, harness.Options{})
	c := client(srv)
	ctx := t.Context()
	dp := `{"Name":"account-dp","Version":"2021-06-01","Statement":[]}`
	out, err := c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("dp"), PolicyDocument: &dp,
		PolicyType: types.PolicyTypeDataProtectionPolicy, Scope: types.ScopeAll})
	require.NoError(t, err)
	p := out.AccountPolicy
	require.Equal(t, "dp", aws.ToString(p.PolicyName))
	require.Equal(t, dp, aws.ToString(p.PolicyDocument))
	require.Equal(t, types.PolicyTypeDataProtectionPolicy, p.PolicyType)
	require.Equal(t, types.ScopeAll, p.Scope)
	require.Equal(t, defaultAccount, aws.ToString(p.AccountId))
	require.InDelta(t, nowMs(), aws.ToInt64(p.LastUpdatedTime), 60_000)

	_, err = c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("dp-2"), PolicyDocument: &dp,
		PolicyType: types.PolicyTypeDataProtectionPolicy})
	requireError[*types.LimitExceededException](t, err, "LimitExceededException", "Resource limit exceeded.", "a second data protection policy")

	for _, n := range []string{"idx-b", "idx-a"} {
		_, err = c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String(n), PolicyDocument: aws.String(`{"Fields":["RequestId"]}`),
			PolicyType: types.PolicyTypeFieldIndexPolicy, SelectionCriteria: aws.String(`LogGroupNamePrefix IN ["/aws/lambda"]`)})
		require.NoError(t, err)
	}
	list, err := c.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeFieldIndexPolicy})
	require.NoError(t, err)
	require.Len(t, list.AccountPolicies, 2)
	require.Equal(t, "idx-a", aws.ToString(list.AccountPolicies[0].PolicyName))
	require.Equal(t, `LogGroupNamePrefix IN ["/aws/lambda"]`, aws.ToString(list.AccountPolicies[0].SelectionCriteria))
	named, err := c.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeFieldIndexPolicy,
		PolicyName: aws.String("idx-b"), AccountIdentifiers: []string{defaultAccount}})
	require.NoError(t, err)
	require.Len(t, named.AccountPolicies, 1)
	other, err := clientAs(srv, senderAccount).DescribeAccountPolicies(ctx,
		&cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeFieldIndexPolicy})
	require.NoError(t, err)
	require.Empty(t, other.AccountPolicies)

	_, err = c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("t"), PolicyDocument: aws.String("{"),
		PolicyType: types.PolicyTypeTransformerPolicy})
	requireInvalidParameter(t, err, "Policy document is not a valid JSON document.", "PutAccountPolicy with broken JSON")
	_, err = c.PutAccountPolicy(ctx, &cloudwatchlogs.PutAccountPolicyInput{PolicyName: aws.String("t"), PolicyDocument: aws.String("{}"),
		PolicyType: "NO_SUCH_POLICY"})
	requireInvalidParameter(t, err, "", "PutAccountPolicy of an unknown type")
	_, err = c.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeTransformerPolicy, NextToken: aws.String("nope")})
	requireInvalidParameter(t, err, "", "DescribeAccountPolicies with a bad token")

	_, err = c.DeleteAccountPolicy(ctx, &cloudwatchlogs.DeleteAccountPolicyInput{PolicyName: aws.String("dp"), PolicyType: types.PolicyTypeDataProtectionPolicy})
	require.NoError(t, err)
	_, err = c.DeleteAccountPolicy(ctx, &cloudwatchlogs.DeleteAccountPolicyInput{PolicyName: aws.String("dp"), PolicyType: types.PolicyTypeDataProtectionPolicy})
	requireNotFound(t, err, "Policy with name [dp] does not exist", "DeleteAccountPolicy twice")
	list, err = c.DescribeAccountPolicies(ctx, &cloudwatchlogs.DescribeAccountPoliciesInput{PolicyType: types.PolicyTypeDataProtectionPolicy})
	require.NoError(t, err)
	require.Empty(t, list.AccountPolicies)
}
