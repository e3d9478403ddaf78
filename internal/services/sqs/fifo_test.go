package sqs

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fifoSend(group, dedup string) func(*SendMessageInput) {
	return func(in *SendMessageInput) {
		in.MessageGroupID = &group
		if dedup != "" {
			in.MessageDeduplicationID = &dedup
		}
	}
}

func TestFIFOOrderAndGroups(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	var seqs []string
	for i := range 3 {
		out := b.MustSend(t, url, "a"+itoa(int64(i)), fifoSend("A", "a"+itoa(int64(i))))
		require.Len(t, *out.SequenceNumber, 20)
		seqs = append(seqs, *out.SequenceNumber)
	}
	b.MustSend(t, url, "b0", fifoSend("B", "b0"))
	for i := 1; i < len(seqs); i++ {
		require.Less(t, seqs[i-1], seqs[i], "sequence numbers grow")
	}
	first := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(2), MessageSystemAttributeNames: []string{"All"}})
	require.Equal(t, []string{"a0", "a1"}, bodies(first))
	require.Equal(t, "A", first[0].Attributes["MessageGroupId"])
	require.Equal(t, "a0", first[0].Attributes["MessageDeduplicationId"])
	require.Equal(t, seqs[0], first[0].Attributes["SequenceNumber"])
	require.Equal(t, []string{"b0"}, bodies(b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})), "group A is held")
	for _, m := range first {
		_, err := b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: m.ReceiptHandle})
		require.NoError(t, err)
	}
	require.Equal(t, []string{"a2"}, bodies(b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})))
}

func bodies(msgs []*Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = *m.Body
	}
	return out
}

func TestFIFOSendRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	_, err := b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str("x"), MessageDeduplicationID: str("d")})
	perr := RequireCode(t, err, "MissingParameter")
	require.Equal(t, "The request must contain the parameter MessageGroupId.", perr.Message)
	_, err = b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str("x"), MessageGroupID: str("g")})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str("x"), MessageGroupID: str("g"), MessageDeduplicationID: str("d"), DelaySeconds: i32(5)})
	RequireCode(t, err, "InvalidParameterValue")
	_, err = b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str("x"), MessageGroupID: str("g"), MessageDeduplicationID: str("d d")})
	RequireCode(t, err, "InvalidParameterValue")

	// The queue's delay applies to FIFO queues.
	delayed := b.MustCreate(t, "d.fifo", map[string]string{"FifoQueue": "true", "DelaySeconds": "10"})
	b.MustSend(t, delayed, "x", fifoSend("g", "1"))
	require.Empty(t, b.MustReceive(t, delayed, nil))
	b.clock.Advance(10 * time.Second)
	require.Len(t, b.MustReceive(t, delayed, nil), 1)
}

func TestFIFODeduplication(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	first := b.MustSend(t, url, "x", fifoSend("g", "same"))
	dup := b.MustSend(t, url, "other body", fifoSend("g", "same"))
	require.Equal(t, *first.MessageID, *dup.MessageID, "a duplicate answers the original")
	require.Equal(t, *first.SequenceNumber, *dup.SequenceNumber)
	require.Equal(t, "1", b.attrs(t, url)["ApproximateNumberOfMessages"])
	b.clock.Advance(5 * time.Minute)
	again := b.MustSend(t, url, "x", fifoSend("g", "same"))
	require.NotEqual(t, *first.MessageID, *again.MessageID, "after five minutes the id is new again")

	content := b.MustCreate(t, "c.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	c1 := b.MustSend(t, content, "same body", fifoSend("g", ""))
	c2 := b.MustSend(t, content, "same body", fifoSend("h", ""))
	require.Equal(t, *c1.MessageID, *c2.MessageID, "content-based deduplication is queue-wide by default")
	c3 := b.MustSend(t, content, "same body", fifoSend("g", "explicit"))
	require.NotEqual(t, *c1.MessageID, *c3.MessageID, "an explicit id wins over the content")
	msgs := b.MustReceive(t, content, &ReceiveMessageInput{MessageSystemAttributeNames: []string{"MessageDeduplicationId"}})
	sum := sha256.Sum256([]byte("same body"))
	require.Equal(t, hex.EncodeToString(sum[:]), msgs[0].Attributes["MessageDeduplicationId"], "content-based ids are the SHA-256 of the body")

	// High-throughput mode: deduplication per message group.
	ht := b.MustCreate(t, "ht.fifo", map[string]string{"FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
	h1 := b.MustSend(t, ht, "x", fifoSend("g", "d"))
	h2 := b.MustSend(t, ht, "x", fifoSend("h", "d"))
	h3 := b.MustSend(t, ht, "x", fifoSend("h", "d"))
	require.NotEqual(t, *h1.MessageID, *h2.MessageID)
	require.Equal(t, *h2.MessageID, *h3.MessageID)
}

func TestFIFOSendMessageBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	entries := sendEntries(5)
	for _, e := range entries {
		e.MessageGroupID = str("g")
	}
	// AWS fails the whole batch when an entry has no MessageGroupId.
	entries[2].MessageGroupID = nil
	_, err := b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &url, Entries: entries})
	perr := RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "The request must contain the parameter MessageGroupId.", perr.Message)
	require.Equal(t, "0", b.attrs(t, url)["ApproximateNumberOfMessages"], "nothing was sent")

	entries[2].MessageGroupID = str("g")
	entries[2].MessageBody = str("")
	out, err := b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &url, Entries: entries})
	require.NoError(t, err)
	require.Len(t, out.Successful, 4)
	require.Equal(t, "InvalidParameterValue", *out.Failed[0].Code, "other invalid entries fail alone")
	var prev uint64
	for _, s := range out.Successful {
		n, err := strconv.ParseUint(*s.SequenceNumber, 10, 64)
		require.NoError(t, err)
		require.Greater(t, n, prev)
		prev = n
	}
	msgs := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})
	require.Equal(t, []string{"body 0", "body 1", "body 3", "body 4"}, bodies(msgs))
}

func TestReceiveRequestAttemptID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true"})
	for i := range 3 {
		b.MustSend(t, url, itoa(int64(i)), fifoSend("g", itoa(int64(i))))
	}
	in := func(id string) *ReceiveMessageInput {
		return &ReceiveMessageInput{MaxNumberOfMessages: i32(2), ReceiveRequestAttemptID: &id}
	}
	first := b.MustReceive(t, url, in("attempt-1"))
	require.Equal(t, []string{"0", "1"}, bodies(first))
	b.clock.Advance(time.Minute)
	retry := b.MustReceive(t, url, in("attempt-1"))
	require.Equal(t, bodies(first), bodies(retry))
	for i := range first {
		require.Equal(t, *first[i].ReceiptHandle, *retry[i].ReceiptHandle, "a retry answers the same receipt handles")
	}
	require.Empty(t, b.MustReceive(t, url, in("attempt-2")), "the group is in flight")
	// Past the five-minute window the attempt id no longer repeats anything.
	b.clock.Advance(5 * time.Minute)
	next := b.MustReceive(t, url, in("attempt-1"))
	require.Equal(t, []string{"0", "1"}, bodies(next), "visibility expired, so a fresh receive gets them again")
	require.NotEqual(t, *first[0].ReceiptHandle, *next[0].ReceiptHandle)
}

// TestFIFOStaleHandleDoesNotDelete: on a FIFO queue AWS answers a handle that no longer
// holds its message (received again, or visibility timeout ended) with InvalidParameterValue
// "The receipt handle has expired." and keeps the message.
func TestFIFOStaleHandleDoesNotDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q.fifo", map[string]string{"FifoQueue": "true", "VisibilityTimeout": "1"})
	b.MustSend(t, url, "x", fifoSend("g", "1"))
	old := b.MustReceive(t, url, nil)[0]
	b.clock.Advance(time.Second)
	_, err := b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: old.ReceiptHandle})
	perr := RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "Value "+*old.ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", perr.Message)
	current := b.MustReceive(t, url, nil)[0]
	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: old.ReceiptHandle})
	RequireCode(t, err, "InvalidParameterValue")
	require.Equal(t, "1", b.attrs(t, url)["ApproximateNumberOfMessagesNotVisible"], "an old handle does not delete on FIFO")
	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: current.ReceiptHandle})
	require.NoError(t, err)
	require.Equal(t, "0", b.attrs(t, url)["ApproximateNumberOfMessagesNotVisible"])
}
