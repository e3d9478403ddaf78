package lambda_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"
)

// readStream reads an InvokeWithResponseStream answer with aws-sdk-go-v2: the chunks and
// the completion event.
func readStream(t *testing.T, out *lambda.InvokeWithResponseStreamOutput) ([][]byte, *types.InvokeWithResponseStreamCompleteEvent) {
	t.Helper()
	es := out.GetStream()
	defer es.Close()
	var chunks [][]byte
	var done *types.InvokeWithResponseStreamCompleteEvent
	for ev := range es.Events() {
		switch e := ev.(type) {
		case *types.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			chunks = append(chunks, e.Value.Payload)
		case *types.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			done = &e.Value
		}
	}
	require.NoError(t, es.Err())
	require.NotNil(t, done, "no InvokeComplete event")
	return chunks, done
}

func TestInvokeWithResponseStreamSDK(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv)
	ctx := t.Context()

	streamer := uniqueName(t)
	mustFunction(t, c, streamer, "nodejs20.x", "stream.js", "index.js", "index.handler")
	out, err := c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(streamer), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, int32(200), out.StatusCode)
	require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	require.Equal(t, "application/vnd.amazon.eventstream", aws.ToString(out.ResponseStreamContentType))
	chunks, done := readStream(t, out)
	var body []byte
	for _, ch := range chunks {
		body = append(body, ch...)
	}
	require.Equal(t, "alpha,beta,gamma", string(body))
	require.Nil(t, done.ErrorCode)

	// 100,000 bytes cannot travel in one chunk, whatever the timing.
	out, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(streamer), Payload: []byte(`{"big":true}`)})
	require.NoError(t, err)
	chunks, done = readStream(t, out)
	require.GreaterOrEqual(t, len(chunks), 2, "a streaming function answers in several chunks")
	n := 0
	for _, ch := range chunks {
		n += len(ch)
	}
	require.Equal(t, 100000, n)
	require.Nil(t, done.ErrorCode)

	out, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String(streamer), Payload: []byte(`{"fail":true}`), LogType: types.LogTypeTail,
	})
	require.NoError(t, err)
	_, done = readStream(t, out)
	require.NotEmpty(t, aws.ToString(done.ErrorCode))
	require.Contains(t, aws.ToString(done.ErrorDetails), "stream failure")
	require.NotEmpty(t, aws.ToString(done.LogResult))

	buffered := uniqueName(t)
	mustFunction(t, c, buffered, "python3.12", "app.py", "app.py", "app.handler")
	out, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(buffered), Payload: []byte(`{"k":"v"}`)})
	require.NoError(t, err)
	chunks, done = readStream(t, out)
	require.Len(t, chunks, 1)
	require.Contains(t, string(chunks[0]), `"echo": {"k": "v"}`)
	require.Nil(t, done.ErrorCode)

	out, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String(buffered), InvocationType: types.ResponseStreamingInvocationTypeDryRun,
	})
	require.NoError(t, err)
	require.Equal(t, int32(204), out.StatusCode)

	_, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(buffered + "-missing")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = c.InvokeWithResponseStream(ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(buffered), Payload: []byte(`{oops`)})
	requireError[*types.InvalidRequestContentException](t, err, "InvalidRequestContentException", 400)
}
