package events_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"
)

// recordedDetail is the detail of AWS's recorded target deliveries, sent as Python's
// json.dumps writes it (with spaces).
const recordedDetail = `{"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}`

// compactEvent is the event AWS hands its SNS and CloudWatch Logs targets: compact JSON,
// members in this order, the detail re-serialized without spaces.
func compactEvent(id, source, tm string) string {
	return fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"core.update-account-command","source":%q,"account":%q,"time":%q,`+
		`"region":"us-east-1","resources":[],"detail":{"command":"update-account","payload":{"acc_id":"0a787ecb-4015","sf_id":"baz"}}}`,
		id, source, defaultAccount, tm)
}

func TestSNSAndLogsTargetsReceiveTheCompactEvent(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	creds := c.sqs.Options().Credentials
	url, qarn := newQueue(t, c, "q")
	snsc := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds, HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1})
	topic, err := snsc.CreateTopic(ctx(t), &sns.CreateTopicInput{Name: aws.String(uniqueName(t, "topic"))})
	require.NoError(t, err)
	_, err = snsc.Subscribe(ctx(t), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qarn)})
	require.NoError(t, err)
	logsc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
		HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1})
	group := "/aws/events/" + uniqueName(t, "g")
	_, err = logsc.CreateLogGroup(ctx(t), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	require.NoError(t, err)

	src := uniqueName(t, "src")
	rule := newRule(t, c, fmt.Sprintf(`{"source":[%q]}`, src))
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{
		{Id: aws.String("sns"), Arn: topic.TopicArn},
		{Id: aws.String("logs"), Arn: aws.String(fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:%s", defaultAccount, group))},
	}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount, "%v", out.FailedEntries)
	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("core.update-account-command"), Detail: aws.String(recordedDetail)}}})
	require.NoError(t, err)
	id := aws.ToString(pe.Entries[0].EventId)

	// AWS: the topic's subscribers get a Notification whose Message is the event.
	var note struct{ Type, TopicArn, Message string }
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, url, 1)[0].Body)), &note))
	require.Equal(t, "Notification", note.Type)
	require.Equal(t, aws.ToString(topic.TopicArn), note.TopicArn)
	var ev struct{ Time string }
	require.NoError(t, json.Unmarshal([]byte(note.Message), &ev))
	require.Equal(t, compactEvent(id, src, ev.Time), note.Message)

	// AWS: the log group gets one log event whose message is the event.
	var msg string
	require.Eventually(t, func() bool {
		f, err := logsc.FilterLogEvents(ctx(t), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
		if err != nil || len(f.Events) != 1 {
			return false
		}
		msg = aws.ToString(f.Events[0].Message)
		return true
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, compactEvent(id, src, ev.Time), msg)
}

func TestFIFOQueueTargetNeedsSqsParameters(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	rule := newRule(t, c, `{"source":["fifo"]}`)
	arn := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s.fifo", defaultAccount, uniqueName(t, "q"))
	_, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{
		{Id: aws.String("sqs-fifo"), Arn: aws.String(arn)}}})
	// AWS refuses the whole call, and stores nothing.
	require.Equal(t, "Parameter(s) SqsParameters must be specified for target: sqs-fifo.", requireCode(t, err, "ValidationException").ErrorMessage())
	list, err := c.eb.ListTargetsByRule(ctx(t), &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
	require.NoError(t, err)
	require.Empty(t, list.Targets)
}
