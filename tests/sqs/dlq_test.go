package sqs_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func redrivePolicy(dlqArn string, max int) string {
	return fmt.Sprintf(`{"deadLetterTargetArn":"%s","maxReceiveCount":%d}`, dlqArn, max)
}

func TestRedriveAllowPolicy(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	deny := createQueue(t, c, uniqueName(t, "deny"), map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
	denyArn := queueArn(t, c, deny)
	src := newQueue(t, c, nil)
	srcArn := queueArn(t, c, src)
	other := createQueue(t, c, uniqueName(t, "other"), nil)

	_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(denyArn, 3)}})
	requireOneOf(t, err, []string{"InvalidParameterValue", "InvalidAttributeValue"}, "RedrivePolicy to a denyAll DLQ")
	_, err = c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t, "new")), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(denyArn, 3)}})
	requireOneOf(t, err, []string{"InvalidParameterValue", "InvalidAttributeValue"}, "CreateQueue with a RedrivePolicy to a denyAll DLQ")

	byQueue := createQueue(t, c, uniqueName(t, "byq"), map[string]string{
		"RedriveAllowPolicy": fmt.Sprintf(`{"redrivePermission":"byQueue","sourceQueueArns":["%s"]}`, srcArn),
	})
	byQueueArn := queueArn(t, c, byQueue)
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(byQueueArn, 3)}})
	require.NoError(t, err, "a listed source queue may use the DLQ")
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(other), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(byQueueArn, 3)}})
	requireOneOf(t, err, []string{"InvalidParameterValue", "InvalidAttributeValue"}, "a source queue not in sourceQueueArns")

	allow := createQueue(t, c, uniqueName(t, "allow"), map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"allowAll"}`})
	_, err = c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(other), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(queueArn(t, c, allow), 3)}})
	require.NoError(t, err, "allowAll")

	var many []string
	for i := range 11 {
		many = append(many, fmt.Sprintf(`"arn:aws:sqs:us-east-1:000000000000:q%d"`, i))
	}
	for why, v := range map[string]string{
		"not JSON":                        `{`,
		"unknown permission":              `{"redrivePermission":"sometimes"}`,
		"byQueue without sourceQueueArns": `{"redrivePermission":"byQueue"}`,
		"byQueue with 11 source queues":   fmt.Sprintf(`{"redrivePermission":"byQueue","sourceQueueArns":[%s]}`, joinComma(many)),
		"sourceQueueArns with allowAll":   fmt.Sprintf(`{"redrivePermission":"allowAll","sourceQueueArns":["%s"]}`, srcArn),
	} {
		_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(other), Attributes: map[string]string{"RedriveAllowPolicy": v}})
		requireOneOf(t, err, []string{"InvalidParameterValue", "InvalidAttributeValue"}, "RedriveAllowPolicy %s", why)
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// fillDLQ sends n messages to a source queue with VisibilityTimeout 0 and maxReceiveCount
// 1 and receives until every one of them has moved to the DLQ. No clock needs to move:
// a message whose visibility timeout is 0 is visible again at once.
func fillDLQ(t *testing.T, c *sqs.Client, src, dlq string, n int) {
	t.Helper()
	var entries []types.SendMessageBatchRequestEntry
	for i := range n {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), MessageBody: aws.String(fmt.Sprintf("body %d", i))})
		if len(entries) == 10 || i == n-1 {
			out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(src), Entries: entries})
			require.NoError(t, err)
			require.Empty(t, out.Failed)
			entries = nil
		}
	}
	waitFor(t, 20*time.Second, func() bool {
		receive(t, c, src, 10)
		return queueAttrs(t, c, dlq)["ApproximateNumberOfMessages"] == strconv.Itoa(n)
	}, "%d messages to move to the DLQ", n)
}

func moveTasks(t *testing.T, c *sqs.Client, sourceArn string, max int32) []types.ListMessageMoveTasksResultEntry {
	t.Helper()
	in := &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(sourceArn)}
	if max > 0 {
		in.MaxResults = aws.Int32(max)
	}
	out, err := c.ListMessageMoveTasks(ctx(t), in)
	require.NoError(t, err)
	return out.Results
}

func TestMessageMoveTaskToOriginalSource(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	src := createQueue(t, c, uniqueName(t, "src"), map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrivePolicy(dlqArn, 1)})
	fillDLQ(t, c, src, dlq, 5)
	// Keep the source a DLQ source, but stop it from moving the messages straight back
	// when they are received there again.
	_, err := c.SetQueueAttributes(ctx(t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src), Attributes: map[string]string{"RedrivePolicy": redrivePolicy(dlqArn, 1000)}})
	require.NoError(t, err)

	require.Empty(t, moveTasks(t, c, dlqArn, 0), "no task yet")
	before := time.Now().Add(-5 * time.Second).UnixMilli()
	out, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn)})
	require.NoError(t, err)
	handle := aws.ToString(out.TaskHandle)
	require.NotEmpty(t, handle)

	var task types.ListMessageMoveTasksResultEntry
	waitFor(t, 30*time.Second, func() bool {
		tasks := moveTasks(t, c, dlqArn, 0)
		require.Len(t, tasks, 1)
		task = tasks[0]
		return aws.ToString(task.Status) == "COMPLETED"
	}, "the move task to complete")
	require.Equal(t, dlqArn, aws.ToString(task.SourceArn))
	require.Nil(t, task.DestinationArn, "no DestinationArn: back to the original sources")
	require.Equal(t, int64(5), task.ApproximateNumberOfMessagesMoved)
	require.GreaterOrEqual(t, task.StartedTimestamp, before, "StartedTimestamp is epoch milliseconds")

	var got []string
	for _, m := range receiveN(t, c, src, 5) {
		got = append(got, aws.ToString(m.Body))
	}
	sort.Strings(got)
	require.Equal(t, []string{"body 0", "body 1", "body 2", "body 3", "body 4"}, got)
	require.Equal(t, "0", queueAttrs(t, c, dlq)["ApproximateNumberOfMessages"])
}

func TestMessageMoveTaskToDestinationAndCancel(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	dlq := createQueue(t, c, uniqueName(t, "dlq"), nil)
	dlqArn := queueArn(t, c, dlq)
	src := createQueue(t, c, uniqueName(t, "src"), map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrivePolicy(dlqArn, 1)})
	dest := createQueue(t, c, uniqueName(t, "dest"), nil)
	destArn := queueArn(t, c, dest)
	fillDLQ(t, c, src, dlq, 30)

	// One message per second: still running when cancelled.
	out, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn), DestinationArn: aws.String(destArn), MaxNumberOfMessagesPerSecond: aws.Int32(1)})
	require.NoError(t, err)
	handle := aws.ToString(out.TaskHandle)

	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn), DestinationArn: aws.String(destArn)})
	require.Error(t, err, "only one active move task per source queue")

	tasks := moveTasks(t, c, dlqArn, 0)
	require.Len(t, tasks, 1)
	require.Equal(t, "RUNNING", aws.ToString(tasks[0].Status))
	require.Equal(t, handle, aws.ToString(tasks[0].TaskHandle), "a running task lists its TaskHandle")
	require.Equal(t, destArn, aws.ToString(tasks[0].DestinationArn))
	require.Equal(t, int32(1), aws.ToInt32(tasks[0].MaxNumberOfMessagesPerSecond))
	require.Equal(t, int64(30), aws.ToInt64(tasks[0].ApproximateNumberOfMessagesToMove))

	cout, err := c.CancelMessageMoveTask(ctx(t), &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(handle)})
	require.NoError(t, err)
	require.Less(t, cout.ApproximateNumberOfMessagesMoved, int64(30))
	waitFor(t, 20*time.Second, func() bool {
		return aws.ToString(moveTasks(t, c, dlqArn, 0)[0].Status) == "CANCELLED"
	}, "the task to be CANCELLED")
	_, err = c.CancelMessageMoveTask(ctx(t), &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String(handle)})
	require.Error(t, err, "a cancelled task cannot be cancelled again")

	// A second task may start now; the list is newest first and MaxResults bounds it.
	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqArn), DestinationArn: aws.String(destArn)})
	require.NoError(t, err)
	waitFor(t, 30*time.Second, func() bool {
		return aws.ToString(moveTasks(t, c, dlqArn, 0)[0].Status) == "COMPLETED"
	}, "the second task to complete")
	all := moveTasks(t, c, dlqArn, 10)
	require.Len(t, all, 2)
	require.Equal(t, "COMPLETED", aws.ToString(all[0].Status))
	require.Equal(t, "CANCELLED", aws.ToString(all[1].Status))
	require.Len(t, moveTasks(t, c, dlqArn, 0), 1, "MaxResults defaults to 1")
	waitFor(t, 10*time.Second, func() bool {
		return queueAttrs(t, c, dest)["ApproximateNumberOfMessages"] == "30"
	}, "all 30 messages in the destination")
}

func TestMessageMoveTaskErrors(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	plain := newQueue(t, c, nil)
	missingArn := "arn:aws:sqs:us-east-1:" + defaultAccount + ":" + uniqueName(t, "missing")

	_, err := c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(missingArn)})
	requireModeled[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404, "StartMessageMoveTask from a missing queue")
	_, err = c.ListMessageMoveTasks(ctx(t), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(missingArn)})
	requireModeled[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404, "ListMessageMoveTasks of a missing queue")

	_, err = c.StartMessageMoveTask(ctx(t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(queueArn(t, c, plain))})
	require.Error(t, err, "the source of a move task must be a dead-letter queue")

	_, err = c.CancelMessageMoveTask(ctx(t), &sqs.CancelMessageMoveTaskInput{TaskHandle: aws.String("not-a-task-handle")})
	requireOneOf(t, err, []string{"ResourceNotFoundException", "InvalidParameterValue"}, "CancelMessageMoveTask with a bogus handle")

	for _, bad := range []int32{0, 11} {
		_, err = c.ListMessageMoveTasks(ctx(t), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(queueArn(t, c, plain)), MaxResults: aws.Int32(bad)})
		requireInvalidParameterValue(t, err, "ListMessageMoveTasks MaxResults=%d", bad)
	}
}
