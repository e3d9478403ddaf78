package events_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func TestRuleToSQSWithInputTransformer(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	url, arn := newQueue(t, c, "q")
	rule := uniqueName(t, "rule")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule),
		EventPattern: aws.String(`{"source":["com.shop"],"detail-type":["OrderPlaced"],"detail":{"amount":[{"numeric":[">=",100]}]}}`)})
	require.NoError(t, err)
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{
		Id: aws.String("queue"), Arn: aws.String(arn),
		InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"order": "$.detail.id", "amount": "$.detail.amount", "src": "$.source"},
			InputTemplate: aws.String(`{"order":"<order>","amount":<amount>,"summary":"order <order> from <src>","rule":"<aws.events.rule-arn>"}`),
		},
	}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount)

	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("com.shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"A-1","amount":250}`)},
		{Source: aws.String("com.shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"id":"A-2","amount":5}`)},
		{Source: aws.String("com.shop"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(1), pe.FailedEntryCount)
	require.NotEmpty(t, aws.ToString(pe.Entries[0].EventId))
	require.Equal(t, "InvalidArgument", aws.ToString(pe.Entries[2].ErrorCode))

	msgs := receiveN(t, c, url, 1)
	ruleARN := fmt.Sprintf("arn:aws:events:us-east-1:%s:rule/%s", defaultAccount, rule)
	require.JSONEq(t, fmt.Sprintf(`{"order":"A-1","amount":250,"summary":"order A-1 from com.shop","rule":%q}`, ruleARN), aws.ToString(msgs[0].Body))
	requireEmpty(t, c, url, "the 5-unit order does not match")
}

func TestRuleToSQSWholeEvent(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	url, arn := newQueue(t, c, "q")
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Thing"), Detail: aws.String(`{"k":[1,2]}`), Time: &at, Resources: []string{"arn:aws:s3:::b"}},
	}})
	require.NoError(t, err)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, url, 1)[0].Body)), &ev))
	require.Equal(t, map[string]any{
		"version": "0", "id": aws.ToString(pe.Entries[0].EventId), "detail-type": "Thing", "source": src, "account": defaultAccount,
		"time": "2026-01-02T03:04:05Z", "region": "us-east-1", "resources": []any{"arn:aws:s3:::b"}, "detail": map[string]any{"k": []any{1.0, 2.0}},
	}, ev)
}

func TestCrossBusTarget(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	url, arn := newQueue(t, c, "q")
	bus := uniqueName(t, "bus")
	src := uniqueName(t, "src")
	cb, err := c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(bus)})
	require.NoError(t, err)
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("sink"), EventBusName: aws.String(bus), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("sink"), EventBusName: aws.String(bus), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)
	fwd := uniqueName(t, "fwd")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(fwd), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(fwd), Targets: []types.Target{{Id: aws.String("bus"), Arn: cb.EventBusArn}}})
	require.NoError(t, err)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Hop"), Detail: aws.String(`{"n":1}`)},
	}})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(receiveN(t, c, url, 1)[0].Body), `"detail-type":"Hop"`)

	// Events put on the custom bus directly reach its rules too.
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Direct"), Detail: aws.String(`{}`), EventBusName: cb.EventBusArn},
	}})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(receiveN(t, c, url, 1)[0].Body), `"detail-type":"Direct"`)
}

func TestRuleToSNSTopic(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	url, qarn := newQueue(t, c, "q")
	snsc := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), Credentials: c.sqs.Options().Credentials,
		HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1})
	topic, err := snsc.CreateTopic(ctx(t), &sns.CreateTopicInput{Name: aws.String(uniqueName(t, "topic"))})
	require.NoError(t, err)
	_, err = snsc.Subscribe(ctx(t), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("t"), Arn: topic.TopicArn, InputPath: aws.String("$.detail")}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount, "%v", out.FailedEntries)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("X"), Detail: aws.String(`{"via":"sns"}`)},
	}})
	require.NoError(t, err)
	require.JSONEq(t, `{"via":"sns"}`, aws.ToString(receiveN(t, c, url, 1)[0].Body))
}

func TestDeadLetterQueueAttributes(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	dlqURL, dlqARN := newQueue(t, c, "dlq")
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	missing := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s", defaultAccount, uniqueName(t, "missing"))
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{
		Id: aws.String("gone"), Arn: aws.String(missing),
		RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(0)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqARN)},
	}}})
	require.NoError(t, err)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("X"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	m := receiveN(t, c, dlqURL, 1)[0]
	require.Contains(t, aws.ToString(m.Body), src)
	require.Equal(t, fmt.Sprintf("arn:aws:events:us-east-1:%s:rule/%s", defaultAccount, rule), aws.ToString(m.MessageAttributes["RULE_ARN"].StringValue))
	require.Equal(t, missing, aws.ToString(m.MessageAttributes["TARGET_ARN"].StringValue))
	require.NotEmpty(t, aws.ToString(m.MessageAttributes["ERROR_CODE"].StringValue))
	require.NotEmpty(t, aws.ToString(m.MessageAttributes["ERROR_MESSAGE"].StringValue))
}

func TestScheduledRuleFiresOnVirtualClock(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := clientsOf(srv)
	url, arn := newQueue(t, c, "q")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("every5"), ScheduleExpression: aws.String("rate(5 minutes)")})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("every5"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)
	requireEmpty(t, c, url, "before the first period")
	srv.AdvanceClock(t, 5*time.Minute)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, url, 1)[0].Body)), &ev))
	require.Equal(t, "Scheduled Event", ev["detail-type"])
	require.Equal(t, "aws.events", ev["source"])
	require.Equal(t, []any{fmt.Sprintf("arn:aws:events:us-east-1:%s:rule/every5", defaultAccount)}, ev["resources"])
	require.Equal(t, map[string]any{}, ev["detail"])
	srv.AdvanceClock(t, 5*time.Minute)
	receiveN(t, c, url, 1)
}

func TestEventBridgeErrors(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(uniqueName(t, "r")), EventPattern: aws.String(`{"source":"not-an-array"}`)})
	ae := requireCode(t, err, "InvalidEventPatternException")
	require.Contains(t, ae.ErrorMessage(), "Event pattern is not valid. Reason:")
	for _, expr := range []string{"rate(5 minute)", "cron(0 12 * * * *)", "cron(0 12 * * ?)", "rate(0 minutes)"} {
		_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(uniqueName(t, "r")), ScheduleExpression: aws.String(expr)})
		ae = requireCode(t, err, "ValidationException")
		require.Equal(t, "Parameter ScheduleExpression is not valid.", ae.ErrorMessage(), expr)
	}
	_, err = c.eb.DescribeRule(ctx(t), &eventbridge.DescribeRuleInput{Name: aws.String(uniqueName(t, "none"))})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(uniqueName(t, "none")), Targets: []types.Target{{Id: aws.String("x"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:x")}}})
	requireCode(t, err, "ResourceNotFoundException")

	rule := uniqueName(t, "r")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(`{"source":["x"]}`)})
	require.NoError(t, err)
	out, err := c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{
		{Id: aws.String("ok"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:x")},
		{Id: aws.String("kinesis"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(1), out.FailedEntryCount)
	require.Equal(t, "kinesis", aws.ToString(out.FailedEntries[0].TargetId))
	_, err = c.eb.DeleteRule(ctx(t), &eventbridge.DeleteRuleInput{Name: aws.String(rule)})
	requireCode(t, err, "ValidationException")
	_, err = c.eb.RemoveTargets(ctx(t), &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: []string{"ok"}})
	require.NoError(t, err)
	_, err = c.eb.DeleteRule(ctx(t), &eventbridge.DeleteRuleInput{Name: aws.String(rule)})
	require.NoError(t, err)

	big := make([]byte, 600*1024)
	for i := range big {
		big[i] = 'a'
	}
	detail := fmt.Sprintf(`{"x":%q}`, big)
	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(detail)},
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(detail)},
	}})
	requireCode(t, err, "ValidationException")

	tp, err := c.eb.TestEventPattern(ctx(t), &eventbridge.TestEventPatternInput{EventPattern: aws.String(`{"source":["a"]}`),
		Event: aws.String(`{"id":"1","account":"000000000000","source":"a","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"t","resources":[],"detail":{}}`)})
	require.NoError(t, err)
	require.True(t, tp.Result)
}

func TestEventBridgeBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/eventbridge_boto3.py", uniqueName(t, "py"))
	require.Contains(t, out, "ok")
}

func TestRuleToFIFOQueueWithMessageGroup(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	name := uniqueName(t, "q") + ".fifo"
	q, err := c.sqs.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"}})
	require.NoError(t, err)
	arn := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s", defaultAccount, name)
	rule := uniqueName(t, "rule")
	src := uniqueName(t, "src")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []types.Target{{Id: aws.String("f"), Arn: aws.String(arn),
		SqsParameters: &types.SqsParameters{MessageGroupId: aws.String("g1")}}}})
	require.NoError(t, err)
	for i := range 3 {
		_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
			{Source: aws.String(src), DetailType: aws.String("T"), Detail: aws.String(fmt.Sprintf(`{"i":%d}`, i))},
		}})
		require.NoError(t, err)
	}
	var order []float64
	deadline := time.Now().Add(15 * time.Second)
	for len(order) < 3 && time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameMessageGroupId}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			require.Equal(t, "g1", m.Attributes["MessageGroupId"])
			var ev struct {
				Detail struct{ I float64 } `json:"detail"`
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &ev))
			order = append(order, ev.Detail.I)
			_, err := c.sqs.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	require.Equal(t, []float64{0, 1, 2}, order, "one message group keeps the events' order")
}

func TestCronRuleFiresOnVirtualClock(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := clientsOf(srv)
	url, arn := newQueue(t, c, "q")
	_, err := c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("tens"), ScheduleExpression: aws.String("cron(0/10 * * * ? *)")})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("tens"), Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)
	// Within any 10 minutes the clock passes exactly one minute divisible by ten.
	srv.AdvanceClock(t, 10*time.Minute)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, url, 1)[0].Body)), &ev))
	fired, err := time.Parse(time.RFC3339, ev["time"].(string))
	require.NoError(t, err)
	require.Zero(t, fired.Minute()%10, "fired at %s", fired)
	require.Zero(t, fired.Second())
}
