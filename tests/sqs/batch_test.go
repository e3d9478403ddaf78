package sqs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func sendEntries(n int, body func(i int) string) []types.SendMessageBatchRequestEntry {
	out := make([]types.SendMessageBatchRequestEntry, n)
	for i := range out {
		out[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", i)), MessageBody: aws.String(body(i))}
	}
	return out
}

func TestSendMessageBatch(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	attrs := allTypeAttributes()
	entries := sendEntries(10, func(i int) string { return fmt.Sprintf("batch body %d", i) })
	entries[3].MessageAttributes = attrs
	entries[5].DelaySeconds = 0
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: entries})
	require.NoError(t, err)
	require.Empty(t, out.Failed)
	require.Len(t, out.Successful, 10)
	ids := map[string]bool{}
	for _, s := range out.Successful {
		id := aws.ToString(s.Id)
		var i int
		_, err := fmt.Sscanf(id, "e%d", &i)
		require.NoError(t, err, "result entry Id %q", id)
		require.Equal(t, md5Hex(fmt.Sprintf("batch body %d", i)), aws.ToString(s.MD5OfMessageBody), "MD5OfMessageBody of %s", id)
		require.NotEmpty(t, aws.ToString(s.MessageId))
		require.False(t, ids[aws.ToString(s.MessageId)], "MessageIds are unique")
		ids[aws.ToString(s.MessageId)] = true
		if i == 3 {
			require.Equal(t, md5OfAttributes(attrs), aws.ToString(s.MD5OfMessageAttributes), "MD5OfMessageAttributes of entry 3")
		} else {
			require.Nil(t, s.MD5OfMessageAttributes, "entry %s has no attributes", id)
		}
	}
	msgs := receiveN(t, c, u, 10)
	for _, m := range msgs {
		if aws.ToString(m.Body) == "batch body 3" {
			requireSameAttributes(t, attrs, m.MessageAttributes)
		}
	}
}

func TestBatchRequestErrors(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	body := func(int) string { return "b" }

	type call func(entries int, mutate func(ids []string)) error
	sendBatch := func(n int, mutate func(ids []string)) error {
		e := sendEntries(n, body)
		ids := make([]string, n)
		for i := range e {
			ids[i] = aws.ToString(e[i].Id)
		}
		mutate(ids)
		for i := range e {
			e[i].Id = aws.String(ids[i])
		}
		_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: e})
		return err
	}
	deleteBatch := func(n int, mutate func(ids []string)) error {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("d%d", i)
		}
		mutate(ids)
		e := make([]types.DeleteMessageBatchRequestEntry, n)
		for i := range e {
			e[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(ids[i]), ReceiptHandle: aws.String("handle")}
		}
		_, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: e})
		return err
	}
	changeBatch := func(n int, mutate func(ids []string)) error {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("c%d", i)
		}
		mutate(ids)
		e := make([]types.ChangeMessageVisibilityBatchRequestEntry, n)
		for i := range e {
			e[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(ids[i]), ReceiptHandle: aws.String("handle"), VisibilityTimeout: 5}
		}
		_, err := c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: e})
		return err
	}
	none := func([]string) {}
	for name, op := range map[string]call{"SendMessageBatch": sendBatch, "DeleteMessageBatch": deleteBatch, "ChangeMessageVisibilityBatch": changeBatch} {
		requireModeled[*types.EmptyBatchRequest](t, op(0, none), "AWS.SimpleQueueService.EmptyBatchRequest", 400, "%s with no entries", name)
		requireModeled[*types.TooManyEntriesInBatchRequest](t, op(11, none), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, "%s with 11 entries", name)
		requireModeled[*types.BatchEntryIdsNotDistinct](t, op(3, func(ids []string) { ids[2] = ids[0] }), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, "%s with a repeated Id", name)
		for _, bad := range []string{"has space", "dot.id", "", strings.Repeat("i", 81), "ü"} {
			requireModeled[*types.InvalidBatchEntryId](t, op(2, func(ids []string) { ids[1] = bad }), "AWS.SimpleQueueService.InvalidBatchEntryId", 400, "%s with entry Id %q", name, bad)
		}
	}
	// Ids of 80 characters of the allowed set are fine.
	require.NoError(t, sendBatch(2, func(ids []string) { ids[0] = strings.Repeat("A", 40) + strings.Repeat("-_", 20) }))

	// The sum of all bodies is limited to 1 MiB.
	half := strings.Repeat("h", 600*1024)
	_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: sendEntries(2, func(int) string { return half })})
	requireModeled[*types.BatchRequestTooLong](t, err, "AWS.SimpleQueueService.BatchRequestTooLong", 400, "two 600 KiB bodies in one batch")

	missing := u + "-missing"
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(missing), Entries: sendEntries(1, body)})
	requireQueueDoesNotExist(t, err, "SendMessageBatch to a missing queue")
	_, err = c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(missing), Entries: []types.DeleteMessageBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: aws.String("h")}}})
	requireQueueDoesNotExist(t, err, "DeleteMessageBatch on a missing queue")
	_, err = c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(missing), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{{Id: aws.String("a"), ReceiptHandle: aws.String("h")}}})
	requireQueueDoesNotExist(t, err, "ChangeMessageVisibilityBatch on a missing queue")
}

func TestSendMessageBatchPartialFailure(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	entries := []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok1"), MessageBody: aws.String("fine")},
		{Id: aws.String("badchar"), MessageBody: aws.String("nul\x00")},
		{Id: aws.String("baddelay"), MessageBody: aws.String("x"), DelaySeconds: 901},
		{Id: aws.String("badattr"), MessageBody: aws.String("x"), MessageAttributes: map[string]types.MessageAttributeValue{"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("ok2"), MessageBody: aws.String("also fine")},
	}
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: entries})
	require.NoError(t, err, "per-entry problems are reported per entry")
	var okIDs []string
	for _, s := range out.Successful {
		okIDs = append(okIDs, aws.ToString(s.Id))
	}
	require.ElementsMatch(t, []string{"ok1", "ok2"}, okIDs)
	failed := map[string]types.BatchResultErrorEntry{}
	for _, f := range out.Failed {
		failed[aws.ToString(f.Id)] = f
	}
	require.Len(t, failed, 3)
	for _, id := range []string{"badchar", "baddelay", "badattr"} {
		f, ok := failed[id]
		require.True(t, ok, "entry %s failed", id)
		require.True(t, f.SenderFault, "entry %s is the sender's fault", id)
		require.NotEmpty(t, aws.ToString(f.Code), "entry %s has a code", id)
		require.NotEmpty(t, aws.ToString(f.Message), "entry %s has a message", id)
	}
	require.Equal(t, "InvalidMessageContents", aws.ToString(failed["badchar"].Code))
	require.Equal(t, "InvalidParameterValue", aws.ToString(failed["baddelay"].Code))
	require.Equal(t, "InvalidParameterValue", aws.ToString(failed["badattr"].Code))
	require.ElementsMatch(t, []string{"fine", "also fine"}, bodies(receiveN(t, c, u, 2)))
}

func TestDeleteMessageBatch(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: sendEntries(3, func(i int) string { return fmt.Sprint(i) })})
	require.NoError(t, err)
	msgs := receiveN(t, c, u, 3)
	out, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: msgs[0].ReceiptHandle},
		{Id: aws.String("b"), ReceiptHandle: msgs[1].ReceiptHandle},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")},
	}})
	require.NoError(t, err)
	var ok []string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.Id))
	}
	require.ElementsMatch(t, []string{"a", "b"}, ok)
	require.Len(t, out.Failed, 1)
	require.Equal(t, "bad", aws.ToString(out.Failed[0].Id))
	require.Equal(t, "ReceiptHandleIsInvalid", aws.ToString(out.Failed[0].Code))
	require.True(t, out.Failed[0].SenderFault)

	// Make the third visible again: only it comes back.
	_, err = c.ChangeMessageVisibility(ctx(t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(u), ReceiptHandle: msgs[2].ReceiptHandle, VisibilityTimeout: 0})
	require.NoError(t, err)
	again := receiveN(t, c, u, 1)
	require.Equal(t, aws.ToString(msgs[2].MessageId), aws.ToString(again[0].MessageId))
	requireEmpty(t, c, u, "the other two were deleted")
}

func TestChangeMessageVisibilityBatch(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: sendEntries(2, func(i int) string { return fmt.Sprint(i) })})
	require.NoError(t, err)
	msgs := receiveN(t, c, u, 2)

	out, err := c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("zero"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
		{Id: aws.String("long"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 600},
		{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle"), VisibilityTimeout: 5},
		{Id: aws.String("toolong"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: 43201},
	}})
	require.NoError(t, err)
	var ok []string
	for _, s := range out.Successful {
		ok = append(ok, aws.ToString(s.Id))
	}
	require.ElementsMatch(t, []string{"zero", "long"}, ok)
	failed := map[string]types.BatchResultErrorEntry{}
	for _, f := range out.Failed {
		failed[aws.ToString(f.Id)] = f
		require.True(t, f.SenderFault, "entry %s is the sender's fault", aws.ToString(f.Id))
	}
	require.Len(t, failed, 2)
	require.Equal(t, "ReceiptHandleIsInvalid", aws.ToString(failed["bad"].Code))
	require.Equal(t, "InvalidParameterValue", aws.ToString(failed["toolong"].Code))

	again := receiveN(t, c, u, 1)
	require.Equal(t, aws.ToString(msgs[0].MessageId), aws.ToString(again[0].MessageId), "only the message made visible comes back")

	// AWS: on a standard queue msgs[0]'s older handle still changes the message, as the
	// current one does.
	out, err = c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("current"), ReceiptHandle: again[0].ReceiptHandle, VisibilityTimeout: 0},
		{Id: aws.String("older"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 2, "%+v", out.Failed)

	// A deleted message fails its entry with InvalidParameterValue.
	deleteMsg(t, c, u, again[0])
	out, err = c.ChangeMessageVisibilityBatch(ctx(t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("deleted"), ReceiptHandle: again[0].ReceiptHandle, VisibilityTimeout: 30},
	}})
	require.NoError(t, err)
	require.Len(t, out.Failed, 1, "changing a deleted message fails")
	require.Equal(t, "InvalidParameterValue", aws.ToString(out.Failed[0].Code))
	require.Equal(t, "Value "+aws.ToString(again[0].ReceiptHandle)+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", aws.ToString(out.Failed[0].Message))
	require.True(t, out.Failed[0].SenderFault)
}
