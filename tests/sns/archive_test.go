package sns_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// Message archiving and replay of FIFO topics, as documented in
// https://docs.aws.amazon.com/sns/latest/dg/fifo-message-archiving-replay.html and
// https://docs.aws.amazon.com/sns/latest/dg/message-archiving-and-replay-subscriber.html.

func replayPolicy(from time.Time) string {
	return `{"PointType":"Timestamp","StartingPoint":"` + from.UTC().Format("2006-01-02T15:04:05.000Z") + `"}`
}

func TestArchiveAndReplayToNewSubscription(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c, q := snsClient(srv), srv.SQS()
	before := time.Now().Add(-time.Second)
	topic := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{
		"FifoTopic": "true", "ContentBasedDeduplication": "true", "ArchivePolicy": `{"MessageRetentionPeriod":"7"}`,
	})
	attrs, err := c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	require.JSONEq(t, `{"MessageRetentionPeriod":"7"}`, attrs.Attributes["ArchivePolicy"])
	begin, err := time.Parse(time.RFC3339, attrs.Attributes["BeginningArchiveTime"])
	require.NoError(t, err, "BeginningArchiveTime is a timestamp")
	require.WithinDuration(t, time.Now(), begin, time.Minute)

	// Messages published before anyone subscribed are in the archive only.
	type pub struct{ group, body, id string }
	var sent []pub
	for i, g := range []string{"a", "b", "a", "b", "a"} {
		body := fmt.Sprintf("m%d-%s", i, g)
		out, err := c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(body), MessageGroupId: aws.String(g)})
		require.NoError(t, err)
		sent = append(sent, pub{g, body, aws.ToString(out.MessageId)})
	}

	url, arn := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	sub := subscribe(t, c, topic, "sqs", arn, map[string]string{"ReplayPolicy": replayPolicy(before)})
	sa, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.Contains(t, []string{"Pending", "In progress", "Completed"}, sa.Attributes["ReplayStatus"])
	require.JSONEq(t, replayPolicy(before), sa.Attributes["ReplayPolicy"])

	got := receiveAll(t, q, url, len(sent), 15*time.Second)
	require.Len(t, got, len(sent))
	perGroup := map[string][]string{}
	for _, m := range got {
		env := decode(t, aws.ToString(m.Body))
		require.Equal(t, true, env["Replayed"], "a replayed message says so")
		i := slices.IndexFunc(sent, func(p pub) bool { return p.id == env["MessageId"] })
		require.GreaterOrEqual(t, i, 0, "a replayed message keeps its MessageId")
		require.Equal(t, sent[i].body, env["Message"])
		perGroup[sent[i].group] = append(perGroup[sent[i].group], sent[i].body)
	}
	require.Equal(t, []string{"m0-a", "m2-a", "m4-a"}, perGroup["a"], "each group in publish order")
	require.Equal(t, []string{"m1-b", "m3-b"}, perGroup["b"])
	require.Eventually(t, func() bool {
		sa, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
		require.NoError(t, err)
		return sa.Attributes["ReplayStatus"] == "Completed"
	}, 10*time.Second, 50*time.Millisecond)

	// After the replay, new messages arrive as usual.
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("live"), MessageGroupId: aws.String("a")})
	require.NoError(t, err)
	live := receiveAll(t, q, url, 1, 10*time.Second)
	require.Len(t, live, 1)
	env := decode(t, aws.ToString(live[0].Body))
	require.Equal(t, "live", env["Message"])
	require.NotContains(t, env, "Replayed")

	// A filter policy applies to replays: a second subscription replays group "b" only.
	url2, arn2 := newQueue(t, q, uniqueName(t, "f")+".fifo", map[string]string{"FifoQueue": "true"})
	sub2 := subscribe(t, c, topic, "sqs", arn2, map[string]string{
		"FilterPolicyScope": "MessageBody", "FilterPolicy": `{"x":[{"exists":true}]}`,
	})
	_, err = c.SetSubscriptionAttributes(ctxT(t), &sns.SetSubscriptionAttributesInput{
		SubscriptionArn: aws.String(sub2), AttributeName: aws.String("ReplayPolicy"), AttributeValue: aws.String(replayPolicy(before)),
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		sa, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub2)})
		require.NoError(t, err)
		return sa.Attributes["ReplayStatus"] == "Completed"
	}, 10*time.Second, 50*time.Millisecond)
	require.Empty(t, receiveAll(t, q, url2, 1, 2*time.Second), "no archived body has the key the filter asks for")
}

func TestArchiveAndReplayValidation(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := snsClient(srv)
	std := newTopic(t, c, uniqueName(t, "std"), nil)
	fifo := newTopic(t, c, uniqueName(t, "f")+".fifo", map[string]string{"FifoTopic": "true"})

	for _, v := range []string{`{"MessageRetentionPeriod":"0"}`, `{"MessageRetentionPeriod":"366"}`, `not json`} {
		_, err := c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(fifo), AttributeName: aws.String("ArchivePolicy"), AttributeValue: aws.String(v)})
		requireAPIError(t, err, "InvalidParameter")
	}
	_, err := c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(std), AttributeName: aws.String("ArchivePolicy"), AttributeValue: aws.String(`{"MessageRetentionPeriod":"7"}`)})
	requireAPIError(t, err, "InvalidParameter")
	attrs, err := c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(fifo)})
	require.NoError(t, err)
	require.NotContains(t, attrs.Attributes, "ArchivePolicy", "refused calls change nothing")
	require.NotContains(t, attrs.Attributes, "BeginningArchiveTime")

	q := srv.SQS()
	_, arn := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	// No archive policy on the topic: nothing to replay from.
	_, err = c.Subscribe(ctxT(t), &sns.SubscribeInput{TopicArn: aws.String(fifo), Protocol: aws.String("sqs"), Endpoint: aws.String(arn),
		Attributes: map[string]string{"ReplayPolicy": replayPolicy(time.Now().Add(-time.Minute))}})
	requireAPIError(t, err, "InvalidParameter")

	_, err = c.SetTopicAttributes(ctxT(t), &sns.SetTopicAttributesInput{TopicArn: aws.String(fifo), AttributeName: aws.String("ArchivePolicy"), AttributeValue: aws.String(`{"MessageRetentionPeriod":"1"}`)})
	require.NoError(t, err)
	sub := subscribe(t, c, fifo, "sqs", arn, nil)
	for _, v := range []string{
		`{"PointType":"Sequence","StartingPoint":"2026-01-01T00:00:00.000Z"}`,
		`{"PointType":"Timestamp"}`,
		`{"PointType":"Timestamp","StartingPoint":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`,
		`{`,
	} {
		_, err := c.SetSubscriptionAttributes(ctxT(t), &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub), AttributeName: aws.String("ReplayPolicy"), AttributeValue: aws.String(v)})
		requireAPIError(t, err, "InvalidParameter")
	}
	sa, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	require.NoError(t, err)
	require.NotContains(t, sa.Attributes, "ReplayPolicy")
	require.NotContains(t, sa.Attributes, "ReplayStatus")
}

func TestArchiveRetentionExpires(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Clock: "virtual"})
	c, q := snsClient(srv), srv.SQS()
	topic := newTopic(t, c, uniqueName(t, "t")+".fifo", map[string]string{
		"FifoTopic": "true", "ContentBasedDeduplication": "true", "ArchivePolicy": `{"MessageRetentionPeriod":"1"}`,
	})
	attrs, err := c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	begin, err := time.Parse(time.RFC3339, attrs.Attributes["BeginningArchiveTime"])
	require.NoError(t, err)
	_, err = c.Publish(ctxT(t), &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("old"), MessageGroupId: aws.String("g")})
	require.NoError(t, err)

	srv.AdvanceClock(t, 25*time.Hour)
	attrs, err = c.GetTopicAttributes(ctxT(t), &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	require.NoError(t, err)
	moved, err := time.Parse(time.RFC3339, attrs.Attributes["BeginningArchiveTime"])
	require.NoError(t, err)
	require.Equal(t, begin.Add(time.Hour), moved, "the archive keeps one day")

	url, arn := newQueue(t, q, uniqueName(t, "q")+".fifo", map[string]string{"FifoQueue": "true"})
	sub := subscribe(t, c, topic, "sqs", arn, map[string]string{"ReplayPolicy": replayPolicy(begin)})
	require.Eventually(t, func() bool {
		srv.AdvanceClock(t, time.Second)
		sa, err := c.GetSubscriptionAttributes(ctxT(t), &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
		require.NoError(t, err)
		return sa.Attributes["ReplayStatus"] == "Completed"
	}, 10*time.Second, 50*time.Millisecond)
	// The virtual clock stands still, so the queue is read without a long poll.
	o, err := q.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Empty(t, o.Messages, "the expired message is not replayed")
}
