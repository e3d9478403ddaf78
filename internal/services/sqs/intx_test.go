package sqs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// TestSendInTxAndLazy covers the sends other services make for their deliveries: inside
// their own write (SendInTx) and as a lazy write (SendLazy), with SendMessage's rules.
func TestSendInTxAndLazy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	arn := func(name string) string { return "arn:aws:sqs:" + testRegion + ":" + testAccount + ":" + name }
	url := b.MustCreate(t, "plain", map[string]string{"MaximumMessageSize": "1024"})
	b.MustCreate(t, "ordered.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})

	// In another service's write: the message exists once the write commits.
	require.NoError(t, b.svc.db.Write(ctx, func(tx *store.Tx) error {
		return b.svc.SendInTx(ctx, tx, arn("plain"), &SendMessageInput{MessageBody: ptr("in tx")})
	}))
	// Refusals leave the write alone, so the caller can go on without the message.
	// (The write's function runs on the store's writer goroutine: assert outside it.)
	var missing, tooLong, notInTx error
	require.NoError(t, b.svc.db.Write(ctx, func(tx *store.Tx) error {
		missing = b.svc.SendInTx(ctx, tx, arn("missing"), &SendMessageInput{MessageBody: ptr("x")})
		tooLong = b.svc.SendInTx(ctx, tx, arn("plain"), &SendMessageInput{MessageBody: ptr(strings.Repeat("x", 2000))})
		notInTx = b.svc.SendInTx(ctx, tx, arn("ordered.fifo"), &SendMessageInput{MessageBody: ptr("x"), MessageGroupID: ptr("g")})
		return nil
	}))
	RequireCode(t, missing, ErrCodeQueueDoesNotExist)
	RequireCode(t, tooLong, "InvalidParameterValue")
	require.ErrorIs(t, notInTx, ErrNotInTx)

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
	require.ElementsMatch(t, []string{"in tx", "lazy"}, bodies)
	fifo, err := b.svc.ReceiveFromARN(ctx, arn("ordered.fifo"), &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10)})
	require.NoError(t, err)
	require.Len(t, fifo.Messages, 1, "the FIFO queue deduplicated the second send")
}
