package protocol_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
)

// sliceStream is an EventStream over fixed events, ending with end (io.EOF for a clean
// end).
type sliceStream struct {
	events []any
	end    error
	closed bool
}

func (s *sliceStream) Next(context.Context) (any, error) {
	if len(s.events) == 0 {
		return nil, s.end
	}
	ev := s.events[0]
	s.events = s.events[1:]
	return ev, nil
}

func (s *sliceStream) Close() error {
	s.closed = true
	return nil
}

type streamingLambda struct {
	lambda.UnimplementedAPI
	stream *sliceStream
}

func (f *streamingLambda) InvokeWithResponseStream(_ context.Context, in *lambda.InvokeWithResponseStreamInput) (*lambda.InvokeWithResponseStreamOutput, error) {
	return &lambda.InvokeWithResponseStreamOutput{
		StatusCode:      ptr(int32(200)),
		ExecutedVersion: ptr("$LATEST"),
		EventStream:     f.stream,
	}, nil
}

// TestSDKEventStreamOutput reads an event-stream output with aws-sdk-go-v2's Lambda
// client: payload chunks as blobs, the completion event as JSON.
func TestSDKEventStreamOutput(t *testing.T) {
	t.Parallel()
	stream := &sliceStream{end: io.EOF, events: []any{
		&lambda.InvokeWithResponseStreamResponseEvent{PayloadChunk: &lambda.InvokeResponseStreamUpdate{Payload: []byte("hello ")}},
		&lambda.InvokeWithResponseStreamResponseEvent{PayloadChunk: &lambda.InvokeResponseStreamUpdate{Payload: []byte{0, 1, 2}}},
		&lambda.InvokeWithResponseStreamResponseEvent{InvokeComplete: &lambda.InvokeWithResponseStreamCompleteEvent{
			ErrorCode: ptr("Unhandled"), ErrorDetails: ptr(`{"errorMessage":"x"}`), LogResult: ptr("TE9H"),
		}},
	}}
	srv := startEdge(t, lambda.Info, &streamingLambda{stream: stream})
	client := awslambda.New(awslambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
	})
	out, err := client.InvokeWithResponseStream(t.Context(), &awslambda.InvokeWithResponseStreamInput{
		FunctionName: aws.String("f"), Payload: []byte(`{}`),
	})
	require.NoError(t, err)
	require.Equal(t, int32(200), out.StatusCode)
	require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	require.Equal(t, protocol.EventStreamContentType, aws.ToString(out.ResponseStreamContentType))
	es := out.GetStream()
	defer es.Close()
	var chunks [][]byte
	var done *lambdatypes.InvokeWithResponseStreamCompleteEvent
	for ev := range es.Events() {
		switch e := ev.(type) {
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
			chunks = append(chunks, e.Value.Payload)
		case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
			done = &e.Value
		}
	}
	require.NoError(t, es.Err())
	require.Equal(t, [][]byte{[]byte("hello "), {0, 1, 2}}, chunks)
	require.NotNil(t, done)
	require.Equal(t, "Unhandled", aws.ToString(done.ErrorCode))
	require.Equal(t, `{"errorMessage":"x"}`, aws.ToString(done.ErrorDetails))
	require.Equal(t, "TE9H", aws.ToString(done.LogResult))
	require.True(t, stream.closed)
}

// TestEventStreamOutputError ends a stream that fails with an error message the SDK
// reports.
func TestEventStreamOutputError(t *testing.T) {
	t.Parallel()
	stream := &sliceStream{end: protocol.NewError("ServiceException", http.StatusInternalServerError, "it broke"), events: []any{
		&lambda.InvokeWithResponseStreamResponseEvent{PayloadChunk: &lambda.InvokeResponseStreamUpdate{Payload: []byte("a")}},
	}}
	srv := startEdge(t, lambda.Info, &streamingLambda{stream: stream})
	client := awslambda.New(awslambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
	})
	out, err := client.InvokeWithResponseStream(t.Context(), &awslambda.InvokeWithResponseStreamInput{FunctionName: aws.String("f")})
	require.NoError(t, err)
	es := out.GetStream()
	defer es.Close()
	n := 0
	for range es.Events() {
		n++
	}
	require.Equal(t, 1, n)
	require.Error(t, es.Err())
	require.Contains(t, es.Err().Error(), "it broke")
	require.False(t, errors.Is(es.Err(), io.EOF))
}
