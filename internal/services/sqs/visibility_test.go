package sqs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReceiveLimits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	for _, in := range []*ReceiveMessageInput{
		{MaxNumberOfMessages: i32(0)}, {MaxNumberOfMessages: i32(11)},
		{VisibilityTimeout: i32(-1)}, {VisibilityTimeout: i32(43201)},
		{WaitTimeSeconds: i32(-1)}, {WaitTimeSeconds: i32(21)},
	} {
		in.QueueURL = &url
		_, err := b.svc.ReceiveMessage(b.ctx, in)
		RequireCode(t, err, "InvalidParameterValue")
	}
	for i := range 12 {
		b.MustSend(t, url, itoa(int64(i)))
	}
	require.Len(t, b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)}), 10)
	require.Len(t, b.MustReceive(t, url, nil), 1, "one message by default")
}

func TestVisibilityTimeoutExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"VisibilityTimeout": "30"})
	b.MustSend(t, url, "x")
	first := b.MustReceive(t, url, nil)
	require.Len(t, first, 1)
	b.clock.Advance(29 * time.Second)
	require.Empty(t, b.MustReceive(t, url, nil))
	b.clock.Advance(time.Second)
	again := b.MustReceive(t, url, &ReceiveMessageInput{MessageSystemAttributeNames: []string{"ApproximateReceiveCount"}, VisibilityTimeout: i32(5)})
	require.Len(t, again, 1)
	require.Equal(t, "2", again[0].Attributes["ApproximateReceiveCount"])
	require.NotEqual(t, *first[0].ReceiptHandle, *again[0].ReceiptHandle, "each receive has its own handle")
	require.Equal(t, *first[0].MessageID, *again[0].MessageID)

	// The per-receive override applied: visible again after 5 s.
	b.clock.Advance(5 * time.Second)
	require.Len(t, b.MustReceive(t, url, nil), 1)
}

func TestChangeMessageVisibility(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	b.MustSend(t, url, "x")
	m := b.MustReceive(t, url, nil)[0]
	change := func(handle string, vt int32) error {
		_, err := b.svc.ChangeMessageVisibility(b.ctx, &ChangeMessageVisibilityInput{QueueURL: &url, ReceiptHandle: &handle, VisibilityTimeout: &vt})
		return err
	}
	require.NoError(t, change(*m.ReceiptHandle, 100))
	b.clock.Advance(99 * time.Second)
	require.Empty(t, b.MustReceive(t, url, nil))
	require.NoError(t, change(*m.ReceiptHandle, 0))
	m2 := b.MustReceive(t, url, &ReceiveMessageInput{VisibilityTimeout: i32(7200)})[0]

	// AWS: on a standard queue a handle of an earlier receive still changes the message's
	// visibility.
	require.NoError(t, change(*m.ReceiptHandle, 7200))

	// 12 hours from the receive at most.
	b.clock.Advance(time.Hour)
	RequireCode(t, change(*m2.ReceiptHandle, 43200), "InvalidParameterValue")
	require.NoError(t, change(*m2.ReceiptHandle, 39600))
	RequireCode(t, change(*m2.ReceiptHandle, 43201), "InvalidParameterValue")

	RequireCode(t, change("garbage", 10), "ReceiptHandleIsInvalid")
	other := b.MustCreate(t, "other", nil)
	_, err := b.svc.ChangeMessageVisibility(b.ctx, &ChangeMessageVisibilityInput{QueueURL: &other, ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: i32(1)})
	RequireCode(t, err, "ReceiptHandleIsInvalid")

	// AWS: once the visibility timeout has ended the handle still changes it, hiding the
	// message again; a deleted message is InvalidParameterValue.
	url2 := b.MustCreate(t, "q2", map[string]string{"VisibilityTimeout": "1"})
	b.MustSend(t, url2, "y")
	m3 := b.MustReceive(t, url2, nil)[0]
	b.clock.Advance(2 * time.Second)
	change2 := func(vt int32) error {
		_, err := b.svc.ChangeMessageVisibility(b.ctx, &ChangeMessageVisibilityInput{QueueURL: &url2, ReceiptHandle: m3.ReceiptHandle, VisibilityTimeout: &vt})
		return err
	}
	require.NoError(t, change2(30))
	require.Empty(t, b.MustReceive(t, url2, nil), "hidden again")
	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url2, ReceiptHandle: m3.ReceiptHandle})
	require.NoError(t, err)
	perr := RequireCode(t, change2(30), "InvalidParameterValue")
	require.Equal(t, "Value "+*m3.ReceiptHandle+" for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", perr.Message)
}

func TestDeleteMessage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"VisibilityTimeout": "1"})
	b.MustSend(t, url, "x")
	old := b.MustReceive(t, url, nil)[0]
	b.clock.Advance(time.Second)
	b.MustReceive(t, url, nil)
	// AWS: a message can be deleted even while another consumer holds it.
	_, err := b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: old.ReceiptHandle})
	require.NoError(t, err)
	require.Equal(t, "0", b.attrs(t, url)["ApproximateNumberOfMessagesNotVisible"])
	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: old.ReceiptHandle})
	require.NoError(t, err, "deleting again succeeds")

	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: &url, ReceiptHandle: str("not-a-handle")})
	perr := RequireCode(t, err, "ReceiptHandleIsInvalid")
	require.Equal(t, `The input receipt handle "not-a-handle" is not a valid receipt handle.`, perr.Message)

	_, err = b.svc.DeleteMessage(b.ctx, &DeleteMessageInput{QueueURL: str("http://localhost:4566/123456789012/missing"), ReceiptHandle: old.ReceiptHandle})
	RequireCode(t, err, "QueueDoesNotExist")
}

func TestRetention(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
	b.MustSend(t, url, "old")
	b.clock.Advance(30 * time.Second)
	b.MustSend(t, url, "new")
	b.clock.Advance(30 * time.Second)
	require.Equal(t, "1", b.attrs(t, url)["ApproximateNumberOfMessages"])
	msgs := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(10)})
	require.Len(t, msgs, 1)
	require.Equal(t, "new", *msgs[0].Body)

	// Shortening the retention applies to messages already there.
	b.MustSend(t, url, "third")
	b.clock.Advance(2 * time.Second)
	_, err := b.svc.SetQueueAttributes(b.ctx, &SetQueueAttributesInput{QueueURL: &url, Attributes: map[string]string{"MessageRetentionPeriod": "60"}})
	require.NoError(t, err)
	b.clock.Advance(59 * time.Second)
	require.Empty(t, b.MustReceive(t, url, nil))
}

func TestRetentionSweep(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{SweepInterval: time.Minute})
	url := b.MustCreate(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
	q, err := b.svc.resolve(b.ctx, &url)
	require.NoError(t, err)
	b.MustSend(t, url, "old")
	require.NoError(t, b.svc.Start(b.ctx))
	t.Cleanup(b.svc.Stop)
	require.Eventually(t, func() bool {
		// The loop may not have set its timer yet when the clock first moves: keep moving it.
		b.clock.Advance(time.Minute)
		c, err := b.db.SQSQueueCount(context.Background(), q.ID, b.clock.Now().UnixMilli(), 0)
		return err == nil && c.Visible == 0
	}, 5*time.Second, 5*time.Millisecond, "the sweep deletes expired messages")
}

// waitingFor returns a channel told each time a long poll of queue url blocks.
func (b *testBundle) waitingFor(t *testing.T, url string) <-chan struct{} {
	t.Helper()
	q, err := b.svc.resolve(b.ctx, &url)
	require.NoError(t, err)
	ch := make(chan struct{}, 16)
	b.svc.onWait = func(id int64) {
		if id == q.ID {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
	return ch
}

// poll starts a long poll and returns where its outcome arrives.
func (b *testBundle) poll(url string, in *ReceiveMessageInput) <-chan *ReceiveMessageOutput {
	out := make(chan *ReceiveMessageOutput, 1)
	in.QueueURL = &url
	go func() {
		res, err := b.svc.ReceiveMessage(b.ctx, in)
		if err != nil {
			res = nil
		}
		out <- res
	}()
	return out
}

func TestLongPollWakesOnSend(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	waiting := b.waitingFor(t, url)
	got := b.poll(url, &ReceiveMessageInput{WaitTimeSeconds: i32(20)})
	<-waiting
	b.MustSend(t, url, "wake up")
	select {
	case out := <-got:
		require.NotNil(t, out)
		require.Len(t, out.Messages, 1)
		require.Equal(t, "wake up", *out.Messages[0].Body)
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not wake on send")
	}
}

func TestLongPollQueueWaitTime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	waiting := b.waitingFor(t, url)
	got := b.poll(url, &ReceiveMessageInput{})
	<-waiting
	b.MustSend(t, url, "x")
	out := <-got
	require.Len(t, out.Messages, 1)
	// WaitTimeSeconds=0 overrides the queue: a short poll.
	require.Empty(t, b.MustReceive(t, url, &ReceiveMessageInput{WaitTimeSeconds: i32(0)}))
}

func TestLongPollEndsOnClock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	waiting := b.waitingFor(t, url)
	got := b.poll(url, &ReceiveMessageInput{WaitTimeSeconds: i32(20)})
	<-waiting
	b.clock.Advance(19 * time.Second)
	select {
	case <-got:
		t.Fatal("the long poll ended early")
	default:
	}
	b.clock.Advance(time.Second)
	select {
	case out := <-got:
		require.NotNil(t, out)
		require.Empty(t, out.Messages)
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not end with the clock")
	}
}

func TestLongPollWakesWhenVisibilityEnds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	b.MustSend(t, url, "x")
	require.Len(t, b.MustReceive(t, url, &ReceiveMessageInput{VisibilityTimeout: i32(5)}), 1)
	waiting := b.waitingFor(t, url)
	got := b.poll(url, &ReceiveMessageInput{WaitTimeSeconds: i32(20)})
	<-waiting
	b.clock.Advance(5 * time.Second)
	select {
	case out := <-got:
		require.NotNil(t, out)
		require.Len(t, out.Messages, 1, "the message came back during the wait")
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not wake when the message became visible")
	}
}

func TestLongPollCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "q", nil)
	waiting := b.waitingFor(t, url)
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan error, 1)
	go func() {
		_, err := b.svc.ReceiveMessage(ctx, &ReceiveMessageInput{QueueURL: &url, WaitTimeSeconds: i32(20)})
		done <- err
	}()
	<-waiting
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestOverLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{InflightLimit: 2})
	url := b.MustCreate(t, "q", nil)
	for range 3 {
		b.MustSend(t, url, "x")
	}
	require.Len(t, b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: i32(2)}), 2)
	_, err := b.svc.ReceiveMessage(b.ctx, &ReceiveMessageInput{QueueURL: &url})
	RequireCode(t, err, "OverLimit")

	// A long poll and a FIFO queue answer no messages instead.
	waiting := b.waitingFor(t, url)
	_ = waiting
	out, err := b.svc.ReceiveMessage(b.ctx, &ReceiveMessageInput{QueueURL: &url, WaitTimeSeconds: i32(1)})
	require.NoError(t, err)
	require.Empty(t, out.Messages)
}
