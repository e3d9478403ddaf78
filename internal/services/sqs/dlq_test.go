package sqs

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func redrivePolicyTo(name string, max int) string {
	return fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, queueARN(testRegion, testAccount, name), max)
}

func TestDeadLetterQueue(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dlq := b.MustCreate(t, "dlq", nil)
	src := b.MustCreate(t, "src", map[string]string{"RedrivePolicy": redrivePolicyTo("dlq", 2), "VisibilityTimeout": "10"})
	sent := b.clock.Now().UnixMilli()
	out := b.MustSend(t, src, "poison")
	for range 2 {
		require.Len(t, b.MustReceive(t, src, nil), 1)
		b.clock.Advance(10 * time.Second)
	}
	require.Empty(t, b.MustReceive(t, src, nil), "the third receive moves it instead")
	msgs := b.MustReceive(t, dlq, &ReceiveMessageInput{MessageSystemAttributeNames: []string{"All"}})
	require.Len(t, msgs, 1)
	m := msgs[0]
	require.Equal(t, *out.MessageID, *m.MessageID)
	require.Equal(t, "poison", *m.Body)
	require.Equal(t, itoa(sent), m.Attributes["SentTimestamp"], "SentTimestamp is the original send")
	require.Equal(t, queueARN(testRegion, testAccount, "src"), m.Attributes["DeadLetterQueueSourceArn"])
	require.Equal(t, "1", m.Attributes["ApproximateReceiveCount"])

	list, err := b.svc.ListDeadLetterSourceQueues(b.ctx, &ListDeadLetterSourceQueuesInput{QueueURL: &dlq})
	require.NoError(t, err)
	require.Equal(t, []string{src}, list.QueueURLs)
	none, err := b.svc.ListDeadLetterSourceQueues(b.ctx, &ListDeadLetterSourceQueuesInput{QueueURL: &src})
	require.NoError(t, err)
	require.Empty(t, none.QueueURLs)
	require.NotNil(t, none.QueueURLs, "queueUrls is required in the output")

	// Retention on a standard dead-letter queue counts from the original send.
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &dlq, Attributes: map[string]string{"MessageRetentionPeriod": "60"}})
	require.NoError(t, err)
	b.clock.Advance(41 * time.Second) // 61 s after the send, 41 s after the move
	require.Empty(t, b.MustReceive(t, dlq, nil))
}

func TestRedriveAllowPolicy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "deny", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	b.MustCreate(t, "only-a", map[string]string{"RedriveAllowPolicy": fmt.Sprintf(`{"redrivePermission":"byQueue","sourceQueueArns":["%s"]}`, queueARN(testRegion, testAccount, "a"))})
	_, err := b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("x"), Attributes: map[string]string{"RedrivePolicy": redrivePolicyTo("deny", 1)}})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.CreateQueue(b.ctx, &CreateQueueInput{QueueName: str("b"), Attributes: map[string]string{"RedrivePolicy": redrivePolicyTo("only-a", 1)}})
	RequireCode(t, err, "InvalidParameterValue")
	b.MustCreate(t, "a", map[string]string{"RedrivePolicy": redrivePolicyTo("only-a", 1)})
	c := b.MustCreate(t, "c", nil)
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &c, Attributes: map[string]string{"RedrivePolicy": redrivePolicyTo("only-a", 1)}})
	RequireCode(t, err, "InvalidParameterValue")

	// Another account's queue cannot be a dead-letter target.
	other := callContext(b.ctx, "210987654321")
	_, err = b.svc.CreateQueue(other, &CreateQueueInput{QueueName: str("theirs")})
	require.NoError(t, err)
	_, err = b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &c, Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:210987654321:theirs","maxReceiveCount":1}`}})
	RequireCode(t, err, "InvalidParameterValue")
}

// dlqWithMessages makes a dead-letter queue holding n messages moved from src.
func dlqWithMessages(t *testing.T, b *testBundle, n int) (src, dlq string) {
	t.Helper()
	dlq = b.MustCreate(t, "dlq", nil)
	src = b.MustCreate(t, "src", map[string]string{"RedrivePolicy": redrivePolicyTo("dlq", 1), "VisibilityTimeout": "1"})
	for i := range n {
		b.MustSend(t, src, itoa(int64(i)))
	}
	for len(b.MustReceive(t, src, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})) > 0 {
	}
	b.clock.Advance(time.Second)
	require.Empty(t, b.MustReceive(t, src, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)}))
	require.Equal(t, itoa(int64(n)), b.attrs(t, dlq)["ApproximateNumberOfMessages"])
	return src, dlq
}

func TestMessageMoveTask(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{MoveTaskInterval: time.Second})
	src, dlq := dlqWithMessages(t, b, 5)
	srcARN, dlqARN := queueARN(testRegion, testAccount, "src"), queueARN(testRegion, testAccount, "dlq")

	_, err := b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &srcARN})
	perr := RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "Source queue must be configured as a Dead Letter Queue.", perr.Message)
	_, err = b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: str(queueARN(testRegion, testAccount, "nope"))})
	RequireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &dlqARN, DestinationARN: str(queueARN(testRegion, testAccount, "nope"))})
	RequireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &dlqARN, MaxNumberOfMessagesPerSecond: i32(501)})
	RequireCode(t, err, "InvalidParameterValue")

	start, err := b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &dlqARN, MaxNumberOfMessagesPerSecond: i32(2)})
	require.NoError(t, err)
	_, err = b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &dlqARN})
	perr = RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.", perr.Message)

	list, err := b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: &dlqARN})
	require.NoError(t, err)
	require.Len(t, list.Results, 1)
	r := list.Results[0]
	require.Equal(t, "RUNNING", *r.Status)
	require.Equal(t, *start.TaskHandle, *r.TaskHandle)
	require.Equal(t, int64(5), *r.ApproximateNumberOfMessagesToMove)
	require.Equal(t, int32(2), *r.MaxNumberOfMessagesPerSecond)
	require.Nil(t, r.DestinationARN, "moving back to the sources")
	require.Equal(t, b.clock.Now().UnixMilli(), *r.StartedTimestamp)

	// The background loop moves two messages a second on the service clock.
	require.NoError(t, b.svc.Start(b.ctx))
	t.Cleanup(b.svc.Stop)
	require.Eventually(t, func() bool {
		b.clock.Advance(time.Second)
		l, err := b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: &dlqARN})
		return err == nil && *l.Results[0].Status == "COMPLETED"
	}, 10*time.Second, 10*time.Millisecond)
	done, err := b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: &dlqARN})
	require.NoError(t, err)
	require.Equal(t, int64(5), *done.Results[0].ApproximateNumberOfMessagesMoved)
	require.Nil(t, done.Results[0].TaskHandle, "only running tasks show their handle")
	require.Equal(t, "5", b.attrs(t, src)["ApproximateNumberOfMessages"])
	require.Equal(t, "0", b.attrs(t, dlq)["ApproximateNumberOfMessages"])

	_, err = b.svc.CancelMessageMoveTask(b.ctx, &CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle})
	RequireCode(t, err, "InvalidParameterValue")
}

func TestCancelMessageMoveTask(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, _ = dlqWithMessages(t, b, 3)
	other := b.MustCreate(t, "other", nil)
	dlqARN := queueARN(testRegion, testAccount, "dlq")
	start, err := b.svc.StartMessageMoveTask(b.ctx, &StartMessageMoveTaskInput{SourceARN: &dlqARN, DestinationARN: str(queueARN(testRegion, testAccount, "other"))})
	require.NoError(t, err)
	out, err := b.svc.CancelMessageMoveTask(b.ctx, &CancelMessageMoveTaskInput{TaskHandle: start.TaskHandle})
	require.NoError(t, err)
	require.Equal(t, int64(0), *out.ApproximateNumberOfMessagesMoved)
	list, err := b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: &dlqARN, MaxResults: i32(10)})
	require.NoError(t, err)
	require.Equal(t, "CANCELLED", *list.Results[0].Status)
	require.Equal(t, queueARN(testRegion, testAccount, "other"), *list.Results[0].DestinationARN)
	require.Equal(t, "0", b.attrs(t, other)["ApproximateNumberOfMessages"])

	_, err = b.svc.CancelMessageMoveTask(b.ctx, &CancelMessageMoveTaskInput{TaskHandle: str("garbage")})
	perr := RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "Value for parameter TaskHandle is invalid.", perr.Message)
	_, err = b.svc.CancelMessageMoveTask(b.ctx, &CancelMessageMoveTaskInput{TaskHandle: str(encodeTaskHandle("nope", dlqARN))})
	perr = RequireCode(t, err, "ResourceNotFoundException")
	require.Equal(t, "Task does not exist.", perr.Message)
	_, err = b.svc.CancelMessageMoveTask(b.ctx, &CancelMessageMoveTaskInput{TaskHandle: str(encodeTaskHandle("nope", queueARN(testRegion, testAccount, "gone")))})
	perr = RequireCode(t, err, "ResourceNotFoundException")
	require.Equal(t, "The resource that you specified for the SourceArn parameter doesn't exist.", perr.Message)

	_, err = b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: &dlqARN, MaxResults: i32(11)})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.ListMessageMoveTasks(b.ctx, &ListMessageMoveTasksInput{SourceARN: str(queueARN(testRegion, testAccount, "gone"))})
	RequireCode(t, err, "ResourceNotFoundException")
}

func FuzzParseTaskHandle(f *testing.F) {
	f.Add(encodeTaskHandle("id", "arn:aws:sqs:us-east-1:123456789012:dlq"))
	f.Add("")
	f.Add("e30=")
	f.Fuzz(func(t *testing.T, s string) {
		h, ok := parseTaskHandle(s)
		if ok && (h.TaskID == "" || h.SourceArn == "") {
			t.Fatalf("%q parsed to %+v", s, h)
		}
	})
}
