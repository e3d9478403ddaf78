package sqs

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSendCombinerConcurrentSends(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i := range 400 {
		wg.Go(func() {
			_, err := b.svc.SendMessage(b.ctx, &SendMessageInput{QueueURL: &url, MessageBody: str(itoa(int64(i)))})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	b.svc.Stop()
	require.Equal(t, "400", b.attrs(t, url)["ApproximateNumberOfMessages"])
	seen := map[string]bool{}
	for {
		msgs := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			require.False(t, seen[*m.Body])
			seen[*m.Body] = true
		}
	}
	require.Len(t, seen, 400)
}
