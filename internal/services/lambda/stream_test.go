package lambda

import (
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

// streamingHandler is a Node.js function that streams its response in three writes.
const streamingHandler = `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType("text/plain");
  responseStream.write("one,");
  responseStream.write("two,");
  if (event.fail) { throw new Error("stream broke"); }
  responseStream.write("three");
  responseStream.end();
});
`

// drain reads every event of a stream: the payload bytes and the completion event.
func drain(t *testing.T, out *InvokeWithResponseStreamOutput) ([]byte, *InvokeWithResponseStreamCompleteEvent) {
	t.Helper()
	es, ok := out.EventStream.(protocol.EventStream)
	require.True(t, ok)
	defer es.Close()
	var body []byte
	var done *InvokeWithResponseStreamCompleteEvent
	for {
		ev, err := es.Next(t.Context())
		if err == io.EOF {
			return body, done
		}
		require.NoError(t, err)
		e := ev.(*InvokeWithResponseStreamResponseEvent)
		if e.PayloadChunk != nil {
			body = append(body, e.PayloadChunk.Payload...)
		}
		if e.InvokeComplete != nil {
			done = e.InvokeComplete
		}
	}
}

func TestInvokeWithResponseStreamBuffered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustCreate(t, "buffered")
	out, err := b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("buffered"), Payload: []byte(`{"a":1}`), LogType: ptr(LogTypeTail)})
	require.NoError(t, err)
	require.Equal(t, int32(200), *out.StatusCode)
	require.Equal(t, latest, *out.ExecutedVersion)
	body, done := drain(t, out)
	require.JSONEq(t, `{"echo":{"a":1},"greeting":""}`, string(body))
	require.NotNil(t, done)
	require.Nil(t, done.ErrorCode)
	require.NotEmpty(t, *done.LogResult)

	out, err = b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("buffered"), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	body, done = drain(t, out)
	require.Empty(t, body)
	require.NotNil(t, done.ErrorCode)
	require.Contains(t, *done.ErrorDetails, "boom")
	require.Nil(t, done.LogResult)

	out, err = b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("buffered"), InvocationType: ptr(ResponseStreamingInvocationTypeDryRun)})
	require.NoError(t, err)
	require.Equal(t, int32(204), *out.StatusCode)
	require.Nil(t, out.EventStream)

	_, err = b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("ghost")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("buffered"), Payload: []byte(`{nope`)})
	requireCode(t, err, ErrCodeInvalidRequestContentException)
}

func TestInvokeWithResponseStreamNode(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := createInput(t, "streamer")
	in.Runtime, in.Handler = ptr("nodejs20.x"), ptr("index.handler")
	in.Code = &FunctionCode{ZipFile: MustZip(t, map[string]string{"index.js": streamingHandler})}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)

	out, err := b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("streamer"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	body, done := drain(t, out)
	require.Equal(t, "one,two,three", string(body))
	require.Nil(t, done.ErrorCode)

	out, err = b.svc.InvokeWithResponseStream(b.ctx, &InvokeWithResponseStreamInput{FunctionName: ptr("streamer"), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	body, done = drain(t, out)
	require.Equal(t, "one,two,", string(body))
	require.NotNil(t, done.ErrorCode)
	require.Contains(t, *done.ErrorDetails, "stream broke")
}
