package logs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// AWS checks the length of log group and stream names in words of its own, whatever
// the operation.
func TestNameLengthMessage(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	const msg = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."
	long := strings.Repeat("a", 513)

	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &long})
	requireInvalidParameter(t, err, msg, "CreateLogGroup with a 513-character name")
	_, err = c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: &long, FilterName: aws.String("valid-filter")})
	requireInvalidParameter(t, err, msg, "DeleteMetricFilter with a 513-character group name")

	// Other members keep the model's message.
	group := mustGroup(t, c)
	_, err = c.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: &group, FilterName: &long})
	requireInvalidParameter(t, err, "1 validation error detected: Value '"+long+"' at 'filterName' failed to satisfy constraint: Member must have length less than or equal to 512", "DeleteMetricFilter with a 513-character filter name")
}

// AWS answers logGroupName with logGroupIdentifier as ValidationException.
func TestGroupNameAndIdentifierExclusive(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	const msg = "LogGroup name and LogGroup ARN are mutually exclusive parameters."

	_, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: &group, LogGroupIdentifier: &group})
	requireError[*types.ValidationException](t, err, "ValidationException", msg, "DescribeLogStreams with both")
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogGroupIdentifier: &group, LogStreamName: aws.String("s")})
	requireError[*types.ValidationException](t, err, "ValidationException", msg, "GetLogEvents with both")

	// Either alone names the group, the identifier as a name or as an ARN.
	arn := "arn:aws:logs:" + harness.DefaultIdentity.Region + ":" + defaultAccount + ":log-group:" + group
	for _, id := range []string{group, arn} {
		out, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupIdentifier: aws.String(id)})
		require.NoError(t, err, "identifier %s", id)
		require.Len(t, out.LogStreams, 1)
		require.Equal(t, arn+":log-stream:s", aws.ToString(out.LogStreams[0].Arn))
		require.Equal(t, int64(0), aws.ToInt64(out.LogStreams[0].StoredBytes))
	}
}

// PutSubscriptionFilter refuses, before it looks the log group up, a function of another
// account named directly and a Kinesis destination without a role.
func TestSubscriptionFilterDestinationForm(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	const crossAccount = "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers."

	for _, g := range []string{"not-existing-log-group", group} {
		_, err := c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
			LogGroupName: aws.String(g), FilterName: aws.String("test"), FilterPattern: aws.String(""),
			DestinationArn: aws.String("arn:aws:lambda:us-east-1:111122223333:function:test"),
		})
		requireError[*types.AccessDeniedException](t, err, "AccessDeniedException", crossAccount, "function of another account, group %s", g)
	}
	_, err := c.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{
		LogGroupName: &group, FilterName: aws.String("test"), FilterPattern: aws.String(""),
		DestinationArn: aws.String("arn:aws:kinesis:us-east-1:111122223333:stream/unknown-stream"),
	})
	requireInvalidParameter(t, err, "destinationArn for vendor kinesis cannot be used without roleArn", "Kinesis destination without roleArn")

	out, err := c.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: &group})
	require.NoError(t, err)
	require.Empty(t, out.SubscriptionFilters, "refused filters are not stored")
}

// AWS accepts a metric namespace with ':' although the model's pattern forbids it.
func TestMetricNamespaceWithColon(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	group := mustGroup(t, c)
	ns := "A.B-c_d/1#2:" + strings.TrimPrefix(group, "/conformance/")
	_, err := c.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: &group, FilterName: aws.String("f"), FilterPattern: aws.String("filterPattern"),
		MetricTransformations: []types.MetricTransformation{{MetricNamespace: &ns, MetricName: aws.String("metricName"), MetricValue: aws.String("1")}},
	})
	require.NoError(t, err)
	out, err := c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("metricName"), MetricNamespace: &ns})
	require.NoError(t, err)
	require.Len(t, out.MetricFilters, 1)
	require.Equal(t, "f", aws.ToString(out.MetricFilters[0].FilterName))
}
