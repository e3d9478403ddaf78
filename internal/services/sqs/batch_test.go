package sqs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func sendEntries(n int) []*SendMessageBatchRequestEntry {
	out := make([]*SendMessageBatchRequestEntry, n)
	for i := range out {
		out[i] = &SendMessageBatchRequestEntry{ID: str(fmt.Sprintf("e%d", i)), MessageBody: str(fmt.Sprintf("body %d", i))}
	}
	return out
}

func TestBatchRequestErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"MaximumMessageSize": "1024"})
	tests := []struct {
		name    string
		entries []*SendMessageBatchRequestEntry
		code    string
		msg     string
	}{
		{"empty", nil, "EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request."},
		{"eleven", sendEntries(11), "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11."},
		{"bad id", []*SendMessageBatchRequestEntry{{ID: str("a b"), MessageBody: str("x")}}, "InvalidBatchEntryId", ""},
		{"long id", []*SendMessageBatchRequestEntry{{ID: str(strings.Repeat("i", 81)), MessageBody: str("x")}}, "InvalidBatchEntryId", ""},
		{"repeated id", []*SendMessageBatchRequestEntry{{ID: str("a"), MessageBody: str("x")}, {ID: str("a"), MessageBody: str("y")}}, "BatchEntryIdsNotDistinct", "Id a repeated."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &url, Entries: tt.entries})
			perr := RequireCode(t, err, tt.code)
			if tt.msg != "" {
				require.Equal(t, tt.msg, perr.Message)
			}
		})
	}
	// The batch total is bounded by 1 MiB, not by the queue's MaximumMessageSize (AWS
	// accepts these two entries of 600 bytes on a 1024-byte queue).
	out, err := b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &url, Entries: []*SendMessageBatchRequestEntry{
		{ID: str("a"), MessageBody: str(strings.Repeat("x", 600))}, {ID: str("b"), MessageBody: str(strings.Repeat("x", 600))},
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 2)
	big := b.MustCreate(t, "big", nil)
	_, err = b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &big, Entries: []*SendMessageBatchRequestEntry{
		{ID: str("a"), MessageBody: str(strings.Repeat("x", 600*1024))}, {ID: str("b"), MessageBody: str(strings.Repeat("x", 600*1024))},
	}})
	perr := RequireCode(t, err, "BatchRequestTooLong")
	require.Equal(t, "Batch requests cannot be longer than 1048576 bytes. You have sent 1228800 bytes.", perr.Message)

	_, err = b.svc.DeleteMessageBatch(b.ctx, &DeleteMessageBatchInput{QueueURL: &url})
	perr = RequireCode(t, err, "EmptyBatchRequest")
	require.Equal(t, "There should be at least one DeleteMessageBatchRequestEntry in the request.", perr.Message)
	_, err = b.svc.ChangeMessageVisibilityBatch(b.ctx, &ChangeMessageVisibilityBatchInput{QueueURL: &url, Entries: []*ChangeMessageVisibilityBatchRequestEntry{
		{ID: str("a"), ReceiptHandle: str("h")}, {ID: str("a"), ReceiptHandle: str("h")},
	}})
	RequireCode(t, err, "BatchEntryIdsNotDistinct")
}

func TestSendMessageBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	entries := sendEntries(4)
	entries[1].MessageBody = str("bad \x00 body")
	entries[2].DelaySeconds = i32(5)
	entries[3].MessageAttributes = map[string]*MessageAttributeValue{"timestamp": {DataType: str("Number"), StringValue: str("1493147359900")}}
	out, err := b.svc.SendMessageBatch(b.ctx, &SendMessageBatchInput{QueueURL: &url, Entries: entries})
	require.NoError(t, err)
	require.Len(t, out.Successful, 3)
	require.Len(t, out.Failed, 1)
	require.Equal(t, "e1", *out.Failed[0].ID)
	require.Equal(t, "InvalidMessageContents", *out.Failed[0].Code)
	require.True(t, *out.Failed[0].SenderFault)
	byID := map[string]*SendMessageBatchResultEntry{}
	for _, s := range out.Successful {
		byID[*s.ID] = s
		require.NotEmpty(t, *s.MessageID)
		require.Nil(t, s.SequenceNumber)
	}
	require.Equal(t, md5Hex("body 0"), *byID["e0"].MD5OfMessageBody)
	require.Equal(t, "235c5c510d26fb653d073faed50ae77c", *byID["e3"].MD5OfMessageAttributes)

	msgs := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})
	require.Len(t, msgs, 2, "the delayed entry is not visible yet")

	del := []*DeleteMessageBatchRequestEntry{
		{ID: str("d0"), ReceiptHandle: msgs[0].ReceiptHandle},
		{ID: str("d1"), ReceiptHandle: str("junk")},
		{ID: str("d2"), ReceiptHandle: msgs[1].ReceiptHandle},
	}
	dout, err := b.svc.DeleteMessageBatch(b.ctx, &DeleteMessageBatchInput{QueueURL: &url, Entries: del})
	require.NoError(t, err)
	require.Len(t, dout.Successful, 2)
	require.Len(t, dout.Failed, 1)
	require.Equal(t, "d1", *dout.Failed[0].ID)
	require.Equal(t, "ReceiptHandleIsInvalid", *dout.Failed[0].Code)
	require.Equal(t, "0", b.attrs(t, url)["ApproximateNumberOfMessagesNotVisible"])
}

func TestChangeMessageVisibilityBatch(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	for i := range 2 {
		b.MustSend(t, url, itoa(int64(i)))
	}
	msgs := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(2)})
	require.Len(t, msgs, 2)
	_, err := b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: msgs[1].ReceiptHandle})
	require.NoError(t, err)
	out, err := b.svc.ChangeMessageVisibilityBatch(b.ctx, &ChangeMessageVisibilityBatchInput{QueueURL: &url, Entries: []*ChangeMessageVisibilityBatchRequestEntry{
		{ID: str("ok"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: i32(0)},
		{ID: str("gone"), ReceiptHandle: msgs[1].ReceiptHandle, VisibilityTimeout: i32(0)},
		{ID: str("junk"), ReceiptHandle: str("x"), VisibilityTimeout: i32(0)},
		{ID: str("range"), ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: i32(43201)},
	}})
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, []string{*out.Successful[0].ID})
	codes := map[string]string{}
	for _, f := range out.Failed {
		codes[*f.ID] = *f.Code
	}
	// AWS answers a deleted message with InvalidParameterValue.
	require.Equal(t, map[string]string{"gone": "InvalidParameterValue", "junk": "ReceiptHandleIsInvalid", "range": "InvalidParameterValue"}, codes)
	require.Len(t, b.MustReceive(t, url, nil), 1, "the changed message is visible again")
}
