package sqs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSendToARN(t *testing.T) {
	t.Parallel()
	b := setup(t)
	url := b.MustCreate(t, "target", nil)
	arn := "arn:aws:sqs:" + testRegion + ":" + testAccount + ":target"

	out, err := b.svc.SendToARN(t.Context(), arn, &SendMessageInput{MessageBody: ptr("from another service")})
	require.NoError(t, err)
	require.NotEmpty(t, *out.MessageID)

	got := b.MustReceive(t, url, &ReceiveMessageInput{MaxNumberOfMessages: ptr[int32](10)})
	require.Len(t, got, 1)
	require.Equal(t, "from another service", *got[0].Body)
	require.Equal(t, *out.MessageID, *got[0].MessageID)

	_, err = b.svc.SendToARN(t.Context(), "arn:aws:sqs:"+testRegion+":"+testAccount+":missing", &SendMessageInput{MessageBody: ptr("x")})
	RequireCode(t, err, ErrCodeQueueDoesNotExist)
	_, err = b.svc.SendToARN(t.Context(), "not an arn", &SendMessageInput{MessageBody: ptr("x")})
	RequireCode(t, err, ErrCodeQueueDoesNotExist)
	_, err = b.svc.SendToARN(t.Context(), arn, &SendMessageInput{MessageBody: ptr("bad \x00 char")})
	RequireCode(t, err, ErrCodeInvalidMessageContents)
}
