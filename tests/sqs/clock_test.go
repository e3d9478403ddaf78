package sqs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// The tests in this file run on servers of their own with the virtual clock, and move it
// with POST /_overcast/clock instead of sleeping.

func TestVisibilityTimeoutExpiry(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, map[string]string{"VisibilityTimeout": "30"})
	send(t, c, u, "expire me")
	m := receiveN(t, c, u, 1)[0]

	srv.AdvanceClock(t, 29*time.Second)
	requireEmpty(t, c, u, "29s into a 30s visibility timeout")
	srv.AdvanceClock(t, 2*time.Second)
	m2 := receiveN(t, c, u, 1)[0]
	require.Equal(t, aws.ToString(m.MessageId), aws.ToString(m2.MessageId))
	require.Equal(t, "2", m2.Attributes["ApproximateReceiveCount"])
	require.Equal(t, m.Attributes["ApproximateFirstReceiveTimestamp"], m2.Attributes["ApproximateFirstReceiveTimestamp"])
	require.Equal(t, m.Attributes["SentTimestamp"], m2.Attributes["SentTimestamp"])

	// A VisibilityTimeout on ReceiveMessage overrides the queue's.
	_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), VisibilityTimeout: 120})
	require.NoError(t, err)
	require.Len(t, out.Messages, 1)
	srv.AdvanceClock(t, 100*time.Second)
	requireEmpty(t, c, u, "100s into a 120s receive visibility timeout")
	srv.AdvanceClock(t, 21*time.Second)
	receiveN(t, c, u, 1)

	// AWS: the handle of an expired receive still changes the visibility on a standard
	// queue (it answers 200), hiding the message again.
	srv.AdvanceClock(t, 31*time.Second)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 10})
	require.NoError(t, err, "ChangeMessageVisibility after the visibility timeout expired")
	requireEmpty(t, c, u, "hidden again for 10s")
	srv.AdvanceClock(t, 11*time.Second)
	receiveN(t, c, u, 1)
}

func TestChangeMessageVisibilityExtendsFromNow(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, map[string]string{"VisibilityTimeout": "60"})
	send(t, c, u, "extend")
	m := receiveN(t, c, u, 1)[0]

	srv.AdvanceClock(t, 15*time.Second)
	// 10 seconds counted from this call, not from the receive.
	_, err := c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10})
	require.NoError(t, err)
	srv.AdvanceClock(t, 9*time.Second)
	requireEmpty(t, c, u, "9s into the new 10s timeout")
	srv.AdvanceClock(t, 2*time.Second)
	m = receiveN(t, c, u, 1)[0]

	// The total visibility from a receive is capped at 12 hours.
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43200})
	require.NoError(t, err, "12 hours right after the receive")
	srv.AdvanceClock(t, time.Hour)
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43200})
	requireInvalidParameterValue(t, err, "extending to 13 hours after the receive")
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 39600})
	require.NoError(t, err, "11 more hours, 12 in total")
}

func TestStaleReceiptHandle(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, nil)
	send(t, c, u, "stale")
	first := receiveN(t, c, u, 1)[0]
	srv.AdvanceClock(t, 31*time.Second)
	second := receiveN(t, c, u, 1)[0]
	require.NotEqual(t, aws.ToString(first.ReceiptHandle), aws.ToString(second.ReceiptHandle))

	// A handle that is not the latest: the request succeeds (the message may or may not be
	// deleted, as the DeleteMessage reference says).
	_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: first.ReceiptHandle})
	require.NoError(t, err, "DeleteMessage with an older receipt handle")
	out, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("stale"), ReceiptHandle: first.ReceiptHandle},
	}})
	require.NoError(t, err, "DeleteMessageBatch with an older receipt handle")
	require.Empty(t, out.Failed, "an older receipt handle is not an invalid one")
	_, err = c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(u), ReceiptHandle: second.ReceiptHandle})
	require.NoError(t, err, "DeleteMessage with the latest receipt handle")
	srv.AdvanceClock(t, time.Hour)
	requireEmpty(t, c, u, "deleted with the latest handle")
	require.Equal(t, "0", queueAttrs(t, c, u)["ApproximateNumberOfMessagesNotVisible"])
}

func TestDelayQueueAndMessageTimers(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, map[string]string{"DelaySeconds": "60"})
	send(t, c, u, "queue delay")
	requireEmpty(t, c, u, "delayed by the queue's DelaySeconds")
	a := queueAttrs(t, c, u)
	require.Equal(t, "1", a["ApproximateNumberOfMessagesDelayed"])
	require.Equal(t, "0", a["ApproximateNumberOfMessages"])
	srv.AdvanceClock(t, 59*time.Second)
	requireEmpty(t, c, u, "59s into a 60s delay")
	srv.AdvanceClock(t, 2*time.Second)
	got := receiveN(t, c, u, 1)
	require.Equal(t, []string{"queue delay"}, bodies(got))
	deleteMsg(t, c, u, got[0])
	require.Equal(t, "0", queueAttrs(t, c, u)["ApproximateNumberOfMessagesDelayed"])

	// A message timer overrides the queue's delay.
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("timer"), DelaySeconds: 120})
	require.NoError(t, err)
	srv.AdvanceClock(t, 119*time.Second)
	requireEmpty(t, c, u, "119s into a 120s message timer")
	srv.AdvanceClock(t, 2*time.Second)
	got = receiveN(t, c, u, 1)
	require.Equal(t, []string{"timer"}, bodies(got))
	deleteMsg(t, c, u, got[0])

	// An explicit DelaySeconds of 0 (sent raw: the Go SDK omits zero) overrides it too.
	status, _, body := rawJSON(t, srv, "SendMessage", map[string]any{"QueueUrl": u, "MessageBody": "no delay", "DelaySeconds": 0})
	require.Equal(t, 200, status, "%v", body)
	require.Equal(t, []string{"no delay"}, bodies(receiveN(t, c, u, 1)))

	// The maximum, 15 minutes, in a batch.
	u2 := newQueue(t, c, nil)
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u2), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("now"), MessageBody: aws.String("now")},
		{Id: aws.String("later"), MessageBody: aws.String("later"), DelaySeconds: 900},
	}})
	require.NoError(t, err)
	got = receiveN(t, c, u2, 1)
	require.Equal(t, []string{"now"}, bodies(got))
	deleteMsg(t, c, u2, got[0])
	srv.AdvanceClock(t, 899*time.Second)
	requireEmpty(t, c, u2, "899s into a 900s timer")
	srv.AdvanceClock(t, 2*time.Second)
	require.Equal(t, []string{"later"}, bodies(receiveN(t, c, u2, 1)))
}

func TestMessageRetention(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, map[string]string{"MessageRetentionPeriod": "60"})
	send(t, c, u, "short-lived")
	srv.AdvanceClock(t, 30*time.Second)
	send(t, c, u, "younger")
	srv.AdvanceClock(t, 31*time.Second)
	// The first is past its retention period; the second is not.
	require.Equal(t, []string{"younger"}, bodies(receiveN(t, c, u, 1)))
	requireEmpty(t, c, u, "the expired message is gone")
	srv.AdvanceClock(t, time.Hour)
	requireEmpty(t, c, u, "both are past their retention period")
	waitFor(t, 10*time.Second, func() bool {
		a := queueAttrs(t, c, u)
		return a["ApproximateNumberOfMessages"] == "0" && a["ApproximateNumberOfMessagesNotVisible"] == "0"
	}, "expired messages no longer counted")
}

func TestPurgeQueueCooldown(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newQueue(t, c, nil)
	send(t, c, u, "purged")
	_, err := c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)
	srv.AdvanceClock(t, 59*time.Second)
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u)})
	requireModeled[*types.PurgeQueueInProgress](t, err, "AWS.SimpleQueueService.PurgeQueueInProgress", 403, "PurgeQueue 59s after the last")
	srv.AdvanceClock(t, 2*time.Second)
	requireEmpty(t, c, u, "purged")

	// After the purge window, new messages stay and another purge is allowed.
	send(t, c, u, "kept")
	require.Equal(t, []string{"kept"}, bodies(receiveN(t, c, u, 1)))
	_, err = c.PurgeQueue(ctx(t), &sqs.PurgeQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err, "PurgeQueue 61s after the last")
	srv.AdvanceClock(t, time.Hour)
	requireEmpty(t, c, u, "the in-flight message was purged too")
}

func TestDeadLetterRedrive(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	src := createQueue(t, c, uniqueName(t, "src"), map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":"2"}`, dlqArn),
	})
	srcArn := queueArn(t, c, src)
	attrs := map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}
	sent, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison"), MessageAttributes: attrs})
	require.NoError(t, err)

	first := receiveN(t, c, src, 1)[0]
	sentTS := first.Attributes["SentTimestamp"]
	srv.AdvanceClock(t, 31*time.Second)
	second := receiveN(t, c, src, 1)[0]
	require.Equal(t, "2", second.Attributes["ApproximateReceiveCount"])
	srv.AdvanceClock(t, 31*time.Second)

	// The third receive finds the count at maxReceiveCount: the message moves to the DLQ.
	requireEmpty(t, c, src, "after maxReceiveCount receives the message moved to the DLQ")
	moved := receiveN(t, c, dlq, 1)[0]
	require.Equal(t, aws.ToString(sent.MessageId), aws.ToString(moved.MessageId), "the MessageId is kept")
	require.Equal(t, "poison", aws.ToString(moved.Body))
	require.Equal(t, sentTS, moved.Attributes["SentTimestamp"], "the original SentTimestamp is kept")
	require.Equal(t, srcArn, moved.Attributes["DeadLetterQueueSourceArn"])
	requireSameAttributes(t, attrs, moved.MessageAttributes)
	require.Equal(t, md5OfAttributes(attrs), aws.ToString(moved.MD5OfMessageAttributes))

}

func TestFIFODeduplicationWindow(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	u := newFIFOQueue(t, c, nil)
	sendDedup := func(body, dedup string) {
		_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(body), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(dedup)})
		require.NoError(t, err, "send %s with dedup id %s", body, dedup)
	}
	sendDedup("one", "d1")
	m := receiveN(t, c, u, 1)[0]
	deleteMsg(t, c, u, m)

	srv.AdvanceClock(t, 4*time.Minute)
	sendDedup("one again", "d1")
	requireEmpty(t, c, u, "a duplicate within 5 minutes is accepted but not delivered")

	srv.AdvanceClock(t, 61*time.Second+30*time.Second)
	sendDedup("one once more", "d1")
	require.Equal(t, []string{"one once more"}, bodies(receiveN(t, c, u, 1)), "after the 5-minute interval the id is new again")
}

func TestQueueDeletedRecently(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := srv.SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	_, err := c.DeleteQueue(ctx(t), &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
	require.NoError(t, err)

	// "After you delete a queue, you must wait at least 60 seconds before creating a
	// queue with the same name."
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	requireModeled[*types.QueueDeletedRecently](t, err, "AWS.SimpleQueueService.QueueDeletedRecently", 400, "CreateQueue right after DeleteQueue")
	ae := requireCode(t, err, "AWS.SimpleQueueService.QueueDeletedRecently", 400, "CreateQueue right after DeleteQueue")
	require.Equal(t, "You must wait 60 seconds after deleting a queue before you can create another with the same name.", ae.ErrorMessage(), "AWS's wording")
	srv.AdvanceClock(t, 61*time.Second)
	u2 := createQueue(t, c, name, nil)
	requireEmpty(t, c, u2, "the new queue of the same name starts empty")
}
