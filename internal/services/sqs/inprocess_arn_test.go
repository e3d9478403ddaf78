package sqs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReceiveDeleteChangeVisibilityByARN(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "source", map[string]string{"VisibilityTimeout": "40"})
	arn := "arn:aws:sqs:" + testRegion + ":" + testAccount + ":source"
	missing := "arn:aws:sqs:" + testRegion + ":" + testAccount + ":missing"

	info, err := b.svc.QueueByARN(t.Context(), arn)
	require.NoError(t, err)
	require.Equal(t, &QueueInfo{ARN: arn, FIFO: false, VisibilityTimeout: 40}, info)
	_, err = b.svc.QueueByARN(t.Context(), missing)
	RequireCode(t, err, ErrCodeQueueDoesNotExist)
	_, err = b.svc.QueueByARN(t.Context(), "not an arn")
	RequireCode(t, err, ErrCodeQueueDoesNotExist)

	for _, body := range []string{"one", "two", "three"} {
		b.MustSend(t, url, body)
	}
	out, err := b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10), MessageSystemAttributeNames: []string{"All"}})
	require.NoError(t, err)
	require.Len(t, out.Messages, 3)
	require.Equal(t, "1", out.Messages[0].Attributes["ApproximateReceiveCount"])
	require.Equal(t, testAccount, out.Messages[0].Attributes["SenderId"])
	// Received, the messages are hidden.
	again, err := b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10)})
	require.NoError(t, err)
	require.Empty(t, again.Messages)
	_, err = b.svc.ReceiveFromARN(t.Context(), missing, &ReceiveMessageInput{})
	RequireCode(t, err, ErrCodeQueueDoesNotExist)
	_, err = b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](11)})
	RequireCode(t, err, "InvalidParameterValue")

	// A bad handle deletes nothing.
	err = b.svc.DeleteFromARN(t.Context(), arn, []string{*out.Messages[0].ReceiptHandle, "garbage"})
	RequireCode(t, err, ErrCodeReceiptHandleIsInvalid)
	require.NoError(t, b.svc.DeleteFromARN(t.Context(), arn, nil))
	require.NoError(t, b.svc.DeleteFromARN(t.Context(), arn, []string{*out.Messages[0].ReceiptHandle, *out.Messages[1].ReceiptHandle}))
	RequireCode(t, b.svc.DeleteFromARN(t.Context(), missing, []string{"x"}), ErrCodeQueueDoesNotExist)

	// The third becomes visible again at once, with a second receive count.
	require.NoError(t, b.svc.ChangeVisibilityFromARN(t.Context(), arn, *out.Messages[2].ReceiptHandle, 0))
	got, err := b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10), MessageSystemAttributeNames: []string{"ApproximateReceiveCount"}})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	require.Equal(t, "three", *got.Messages[0].Body)
	require.Equal(t, "2", got.Messages[0].Attributes["ApproximateReceiveCount"])
	err = b.svc.ChangeVisibilityFromARN(t.Context(), arn, *got.Messages[0].ReceiptHandle, 43201)
	RequireCode(t, err, "InvalidParameterValue")
	RequireCode(t, b.svc.ChangeVisibilityFromARN(t.Context(), "nope", "x", 0), ErrCodeQueueDoesNotExist)
}

func TestDeleteFromARNWakesFIFOLongPoll(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "ordered.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	arn := "arn:aws:sqs:" + testRegion + ":" + testAccount + ":ordered.fifo"
	for _, body := range []string{"first", "second"} {
		b.MustSend(t, url, body, func(in *SendMessageInput) { in.MessageGroupID = ptr("g") })
	}
	first, err := b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](1)})
	require.NoError(t, err)
	require.Len(t, first.Messages, 1)

	// The group is locked while "first" is in flight: a long poll waits, and wakes when
	// "first" is deleted, without the clock moving.
	waiting := b.waitingFor(t, url)
	got := make(chan *ReceiveMessageOutput, 1)
	go func() {
		out, err := b.svc.ReceiveFromARN(t.Context(), arn, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](1), WaitTimeSeconds: ptr[int32](20)})
		if err != nil {
			out = nil
		}
		got <- out
	}()
	<-waiting
	require.NoError(t, b.svc.DeleteFromARN(t.Context(), arn, []string{*first.Messages[0].ReceiptHandle}))
	select {
	case out := <-got:
		require.NotNil(t, out)
		require.Len(t, out.Messages, 1)
		require.Equal(t, "second", *out.Messages[0].Body)
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not wake")
	}
}
