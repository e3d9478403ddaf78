package sqs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// TestSendManyInTxAndLazy covers the sends other services make for their deliveries: inside
// their own write (SendManyInTx) and as a lazy write (SendLazy), with SendMessage's rules.
func TestSendManyInTxAndLazy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	arn := func(name string) string { return "arn:aws:sqs:" + testRegion + ":" + testAccount + ":" + name }
	url := b.MustCreate(t, "plain", map[string]string{"MaximumMessageSize": "1024"})
	b.MustCreate(t, "ordered.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})

	// In another service's write, beside refusals: the accepted messages exist once the
	// write commits, and the refusals leave the write alone, so the caller can go on
	// without those messages. (The write's function runs on the store's writer goroutine:
	// assert outside it.)
	var errs []error
	require.NoError(t, b.svc.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		errs, err = b.svc.SendManyInTx(ctx, tx, []InTxSend{
			{QueueARN: arn("plain"), Input: &SendMessageInput{MessageBody: ptr("in tx")}},
			{QueueARN: arn("missing"), Input: &SendMessageInput{MessageBody: ptr("x")}},
			{QueueARN: arn("plain"), Input: &SendMessageInput{MessageBody: ptr(strings.Repeat("x", 2000))}},
			{QueueARN: arn("ordered.fifo"), Input: &SendMessageInput{MessageBody: ptr("x"), MessageGroupID: ptr("g")}},
			{QueueARN: arn("plain"), Input: &SendMessageInput{MessageBody: ptr("in tx too")}},
		})
		return err
	}))
	require.Len(t, errs, 5)
	require.NoError(t, errs[0])
	RequireCode(t, errs[1], ErrCodeQueueDoesNotExist)
	RequireCode(t, errs[2], "InvalidParameterValue")
	require.ErrorIs(t, errs[3], ErrNotInTx)
	require.NoError(t, errs[4])

	// Lazily, for delivery jobs: standard queues through a lazy write, FIFO queues with
	// their deduplication.
	require.NoError(t, b.svc.SendLazy(ctx, arn("plain"), &SendMessageInput{MessageBody: ptr("lazy")}))
	RequireCode(t, b.svc.SendLazy(ctx, arn("missing"), &SendMessageInput{MessageBody: ptr("x")}), ErrCodeQueueDoesNotExist)
	RequireCode(t, b.svc.SendLazy(ctx, arn("plain"), &SendMessageInput{MessageBody: ptr(strings.Repeat("x", 2000))}), "InvalidParameterValue")
	for range 2 {
		require.NoError(t, b.svc.SendLazy(ctx, arn("ordered.fifo"), &SendMessageInput{MessageBody: ptr("once"), MessageGroupID: ptr("g")}))
	}

	out, err := b.svc.ReceiveMessage(b.ctx, &ReceiveMessageInput{QueueURL: &url, MaxNumberOfMessages: ptr[int32](10)})
	require.NoError(t, err)
	var bodies []string
	for _, m := range out.Messages {
		bodies = append(bodies, *m.Body)
	}
	require.ElementsMatch(t, []string{"in tx", "in tx too", "lazy"}, bodies)
	fifo, err := b.svc.ReceiveFromARN(ctx, arn("ordered.fifo"), &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10)})
	require.NoError(t, err)
	require.Len(t, fifo.Messages, 1, "the FIFO queue deduplicated the second send")
}
