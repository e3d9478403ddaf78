package sqs_test

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

func sendFIFO(t *testing.T, c *sqs.Client, u, group, body, dedup string) *sqs.SendMessageOutput {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(body), MessageGroupId: aws.String(group)}
	if dedup != "" {
		in.MessageDeduplicationId = aws.String(dedup)
	}
	out, err := c.SendMessage(ctx(t), in)
	require.NoError(t, err, "send %s to group %s", body, group)
	require.Equal(t, md5Hex(body), aws.ToString(out.MD5OfMessageBody))
	return out
}

func TestFIFOSendValidation(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)

	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	requireCode(t, err, "MissingParameter", 400, "FIFO SendMessage without MessageGroupId")

	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
	requireInvalidParameterValue(t, err, "no MessageDeduplicationId and ContentBasedDeduplication off")

	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d"), DelaySeconds: 5})
	requireInvalidParameterValue(t, err, "per-message DelaySeconds on a FIFO queue")

	for _, bad := range []string{"has space", strings.Repeat("g", 129)} {
		_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageGroupId: aws.String(bad), MessageDeduplicationId: aws.String("d")})
		requireInvalidParameterValue(t, err, "MessageGroupId %.20q", bad)
		_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(bad)})
		requireInvalidParameterValue(t, err, "MessageDeduplicationId %.20q", bad)
	}
	// Punctuation is allowed in both ids.
	sendFIFO(t, c, u, `g!"#$%&'()*+,-./:;<=>?@[\]^_`+"`{|}~", "punct", `d!"#$%&'()*+,-./:;<=>?@[\]^_`+"`{|}~")

	// AWS fails the whole batch for an entry without MessageGroupId; other invalid entries
	// fail alone.
	_, err = c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("nogroup"), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d2")},
		{Id: aws.String("ok"), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d3")},
	}})
	requireInvalidParameterValue(t, err, "FIFO batch with an entry without MessageGroupId")
	out, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("baddedup"), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("bad\x01")},
		{Id: aws.String("ok"), MessageBody: aws.String("x"), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d3")},
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 1)
	require.Len(t, out.Failed, 1)
	require.Equal(t, "baddedup", aws.ToString(out.Failed[0].Id))
	require.Equal(t, "InvalidParameterValue", aws.ToString(out.Failed[0].Code))
	require.True(t, out.Failed[0].SenderFault)
}

func TestFIFOOrderingPerGroup(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)
	var seqs []*big.Int
	seqOf := map[string]string{}
	for i := range 8 {
		for _, g := range []string{"A", "B"} {
			out := sendFIFO(t, c, u, g, fmt.Sprintf("%s%d", g, i), fmt.Sprintf("%s-%d", g, i))
			seqOf[fmt.Sprintf("%s%d", g, i)] = aws.ToString(out.SequenceNumber)
			n, ok := new(big.Int).SetString(aws.ToString(out.SequenceNumber), 10)
			require.True(t, ok, "SequenceNumber %q is a decimal number", aws.ToString(out.SequenceNumber))
			seqs = append(seqs, n)
		}
	}
	for i := 1; i < len(seqs); i++ {
		require.Equal(t, 1, seqs[i].Cmp(seqs[i-1]), "SequenceNumber increases with each send: %v then %v", seqs[i-1], seqs[i])
	}

	// A batch keeps its entries' order within a group.
	var entries []types.SendMessageBatchRequestEntry
	for i := 8; i < 12; i++ {
		entries = append(entries, types.SendMessageBatchRequestEntry{
			Id: aws.String(fmt.Sprintf("e%d", i)), MessageBody: aws.String(fmt.Sprintf("A%d", i)),
			MessageGroupId: aws.String("A"), MessageDeduplicationId: aws.String(fmt.Sprintf("A-%d", i)),
		})
	}
	bout, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(u), Entries: entries})
	require.NoError(t, err)
	require.Len(t, bout.Successful, 4)
	for _, s := range bout.Successful {
		require.NotEmpty(t, aws.ToString(s.SequenceNumber), "batch entries of a FIFO queue carry SequenceNumber")
	}

	got := map[string][]string{}
	total := 0
	for range 50 {
		if total == 20 {
			break
		}
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(u), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			g := m.Attributes["MessageGroupId"]
			got[g] = append(got[g], aws.ToString(m.Body))
			require.NotEmpty(t, m.Attributes["SequenceNumber"])
			if want, ok := seqOf[aws.ToString(m.Body)]; ok {
				require.Equal(t, want, m.Attributes["SequenceNumber"], "the SequenceNumber SendMessage returned for %s", aws.ToString(m.Body))
			}
			require.Equal(t, map[string]string{"A": "A-", "B": "B-"}[g]+strings.TrimLeft(aws.ToString(m.Body), "AB"), m.Attributes["MessageDeduplicationId"])
			require.NotEmpty(t, m.Attributes["MessageDeduplicationId"])
			deleteMsg(t, c, u, m)
			total++
		}
	}
	require.Equal(t, []string{"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11"}, got["A"])
	require.Equal(t, []string{"B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7"}, got["B"])
}

func TestFIFOGroupInFlightExclusion(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)
	sendFIFO(t, c, u, "A", "A1", "a1")
	sendFIFO(t, c, u, "A", "A2", "a2")
	sendFIFO(t, c, u, "B", "B1", "b1")

	one := receive(t, c, u, 1)
	require.Len(t, one, 1, "MaxNumberOfMessages 1")
	first := one[0]
	require.Equal(t, "A1", aws.ToString(first.Body), "the oldest message first")

	// While A1 is in flight no other message of group A is handed out.
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"B1"}, bodies(out.Messages), "only group B is available while A1 is in flight")
	requireEmpty(t, c, u, "both groups in flight")

	deleteMsg(t, c, u, first)
	require.Equal(t, []string{"A2"}, bodies(receive(t, c, u, 10)), "A2 after A1 is deleted")

	// Group B moves on independently while A2 is in flight.
	sendFIFO(t, c, u, "B", "B2", "b2")
	deleteMsg(t, c, u, out.Messages[0])
	require.Equal(t, []string{"B2"}, bodies(receiveN(t, c, u, 1)))
}

func TestFIFODeduplication(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)
	sendFIFO(t, c, u, "g", "original", "same-id")
	dup := sendFIFO(t, c, u, "g", "duplicate", "same-id")
	require.NotEmpty(t, aws.ToString(dup.MessageId), "a duplicate is accepted")
	require.Equal(t, []string{"original"}, bodies(receiveN(t, c, u, 1)))
	requireEmpty(t, c, u, "the duplicate is not delivered")

	// Deduplication is per queue, across groups, by default.
	sendFIFO(t, c, u, "other", "other group", "same-id")
	requireEmpty(t, c, u, "same dedup id in another group of a DeduplicationScope=queue queue")

	// Content-based deduplication uses the body's SHA-256.
	cu := newFIFOQueue(t, c, map[string]string{"ContentBasedDeduplication": "true"})
	sendFIFO(t, c, cu, "g", "same body", "")
	sendFIFO(t, c, cu, "g", "same body", "")
	sendFIFO(t, c, cu, "g", "different body", "")
	// An explicit id wins over the content.
	sendFIFO(t, c, cu, "g", "same body", "explicit")
	got := receiveFIFOAll(t, c, cu, 3)
	require.Equal(t, []string{"same body", "different body", "same body"}, got)

	// With DeduplicationScope=messageGroup the same id in two groups is two messages.
	hu := newFIFOQueue(t, c, map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
	sendFIFO(t, c, hu, "g1", "in g1", "shared")
	sendFIFO(t, c, hu, "g2", "in g2", "shared")
	sendFIFO(t, c, hu, "g1", "dup in g1", "shared")
	require.ElementsMatch(t, []string{"in g1", "in g2"}, receiveFIFOAll(t, c, hu, 2))
}

// receiveFIFOAll receives and deletes n messages, one receive at a time, in order.
func receiveFIFOAll(t *testing.T, c *sqs.Client, u string, n int) []string {
	t.Helper()
	var got []string
	for range 50 {
		if len(got) == n {
			break
		}
		for _, m := range receive(t, c, u, 10) {
			got = append(got, aws.ToString(m.Body))
			deleteMsg(t, c, u, m)
		}
	}
	require.Len(t, got, n, "messages from %s: %v", u, got)
	requireEmpty(t, c, u, "no more than expected")
	return got
}

func TestFIFOReceiveRequestAttemptID(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newFIFOQueue(t, c, nil)
	for i := range 3 {
		sendFIFO(t, c, u, "g", fmt.Sprintf("m%d", i), fmt.Sprintf("d%d", i))
	}
	recv := func(attempt string) []types.Message {
		out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 2, ReceiveRequestAttemptId: aws.String(attempt)})
		require.NoError(t, err)
		return out.Messages
	}
	first := recv("attempt-1")
	require.Equal(t, []string{"m0", "m1"}, bodies(first))
	retry := recv("attempt-1")
	require.Equal(t, bodies(first), bodies(retry), "a retried attempt returns the same messages")
	for i := range first {
		require.Equal(t, aws.ToString(first[i].MessageId), aws.ToString(retry[i].MessageId))
		require.Equal(t, aws.ToString(first[i].ReceiptHandle), aws.ToString(retry[i].ReceiptHandle), "and the same receipt handles")
	}
	require.Empty(t, recv("attempt-2"), "a new attempt sees the group in flight")

	_, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), ReceiveRequestAttemptId: aws.String("bad id with spaces")})
	requireInvalidParameterValue(t, err, "ReceiveRequestAttemptId with spaces")
}

func TestFIFOFairQueueGroupOnStandard(t *testing.T) {
	t.Parallel()
	c := sharedServer(t).SQS()
	u := newQueue(t, c, nil)
	// Standard queues accept MessageGroupId (fair queues) and return it on receive.
	_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("tenant"), MessageGroupId: aws.String("tenant-1")})
	require.NoError(t, err)
	m := receiveN(t, c, u, 1)[0]
	require.Equal(t, "tenant-1", m.Attributes["MessageGroupId"])
	// A deduplication id is for FIFO queues only.
	_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
	requireInvalidParameterValue(t, err, "MessageDeduplicationId on a standard queue")
}
