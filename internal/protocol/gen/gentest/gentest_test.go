package gentest

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/kinesis"
	"github.com/overcast/overcast/internal/services/lambda"
	"github.com/overcast/overcast/internal/services/s3"
	"github.com/overcast/overcast/internal/services/sns"
)

func violations(in protocol.Validatable) []protocol.Violation {
	var v protocol.Validator
	in.Validate(&v)
	return v.Violations()
}

func ptr[T any](v T) *T { return &v }

func TestValidate(t *testing.T) {
	t.Parallel()
	type want struct {
		kind protocol.ViolationKind
		path string
	}
	tests := []struct {
		name string
		in   protocol.Validatable
		want []want
	}{
		{
			name: "required members",
			in:   &sns.PublishBatchInput{},
			want: []want{{protocol.Missing, "TopicArn"}, {protocol.Missing, "PublishBatchRequestEntries"}},
		},
		{
			name: "list items are checked with 1-based indexes",
			in: &sns.PublishBatchInput{
				TopicARN:                   ptr("arn:aws:sns:us-east-1:000000000000:t"),
				PublishBatchRequestEntries: []*sns.PublishBatchRequestEntry{{ID: ptr("a"), Message: ptr("m")}, {ID: ptr("b")}},
			},
			want: []want{{protocol.Missing, "PublishBatchRequestEntries.2.Message"}},
		},
		{
			name: "map values are checked under their key",
			in: &sns.PublishInput{
				Message:           ptr("m"),
				MessageAttributes: map[string]*sns.MessageAttributeValue{"color": {}},
			},
			want: []want{{protocol.Missing, "MessageAttributes.color.DataType"}},
		},
		{
			name: "lengths and patterns",
			in:   &kinesis.PutRecordInput{Data: []byte("x"), PartitionKey: ptr(""), StreamName: ptr("bad name")},
			want: []want{{protocol.BadPattern, "StreamName"}, {protocol.TooShort, "PartitionKey"}},
		},
		{
			name: "list length",
			in:   &kinesis.PutRecordsInput{Records: []*kinesis.PutRecordsRequestEntry{}},
			want: []want{{protocol.TooShort, "Records"}},
		},
		{
			name: "enum",
			in:   &lambda.InvokeInput{FunctionName: ptr("f"), InvocationType: ptr("Sometimes")},
			want: []want{{protocol.BadEnum, "InvocationType"}},
		},
		{
			name: "valid input",
			in:   &kinesis.PutRecordInput{Data: []byte("x"), PartitionKey: ptr("k"), StreamName: ptr("s")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []want
			for _, v := range violations(tt.in) {
				got = append(got, want{v.Kind, v.Path})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestValidateRange(t *testing.T) {
	t.Parallel()
	vs := violations(&lambda.InvokeInput{FunctionName: ptr("f")})
	require.Empty(t, vs)
	vs = violations(&lambda.PutFunctionConcurrencyInput{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr[int32](-1)})
	require.Len(t, vs, 1)
	require.Equal(t, protocol.TooSmall, vs[0].Kind)
	require.Equal(t, "-1", vs[0].Value)
}

// publisher answers Publish with no output, which the operation table turns into an empty
// one; every other operation is NotImplemented.
type publisher struct{ sns.UnimplementedAPI }

func (publisher) Publish(context.Context, *sns.PublishInput) (*sns.PublishOutput, error) {
	return nil, nil
}

func TestOperationCall(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	op := sns.Info.Find("Publish")
	require.NotNil(t, op)
	in := op.NewInput()
	require.IsType(t, &sns.PublishInput{}, in)

	out, err := op.Call(ctx, publisher{}, in)
	require.NoError(t, err)
	require.Equal(t, &sns.PublishOutput{}, out)

	_, err = sns.Info.Find("CreateTopic").Call(ctx, sns.UnimplementedAPI{}, sns.Info.Find("CreateTopic").NewInput())
	var e *protocol.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "NotImplemented", e.Code)
	require.Contains(t, e.Message, "CreateTopic")
	require.Contains(t, e.Message, "SNS")

	_, err = op.Call(ctx, struct{}{}, in)
	require.True(t, errors.As(err, &e))
	require.Equal(t, "InternalFailure", e.Code, "an API of the wrong type is a server fault, not a panic")
	_, err = op.Call(ctx, publisher{}, &kinesis.PutRecordInput{})
	require.True(t, errors.As(err, &e))
	require.Equal(t, "InternalFailure", e.Code, "an input of another service is a server fault")
}

func TestInfo(t *testing.T) {
	t.Parallel()
	for _, info := range []*protocol.ServiceInfo{sns.Info, kinesis.Info, lambda.Info, s3.Info} {
		require.True(t, sort.SliceIsSorted(info.Operations, func(i, j int) bool {
			return info.Operations[i].Name < info.Operations[j].Name
		}), info.Package)
		for _, op := range info.Operations {
			require.Equal(t, op, info.Find(op.Name))
			require.NotNil(t, op.NewInput())
		}
	}
	require.Equal(t, protocol.Query, sns.Info.Protocol)
	require.Equal(t, "http://sns.amazonaws.com/doc/2010-03-31/", sns.Info.XMLNamespace)
	require.Equal(t, "PublishResult", sns.Info.Find("Publish").ResultWrapper)
	require.Equal(t, "Kinesis_20131202", kinesis.Info.TargetPrefix)
	require.True(t, kinesis.Info.Find("SubscribeToShard").EventStreamOutput)
	require.True(t, lambda.Info.Find("InvokeWithResponseStream").EventStreamOutput)
	invoke := lambda.Info.Find("Invoke")
	require.Equal(t, "/2015-03-31/functions/{FunctionName}/invocations", invoke.RequestURI)
	require.Contains(t, invoke.Errors, lambda.ErrCodeResourceNotFoundException)
	require.Equal(t, http.StatusNoContent, s3.Info.Find("DeleteObject").ResponseCode)
}

func TestModeledErrors(t *testing.T) {
	t.Parallel()
	e := sns.NewNotFoundException("Topic does not exist")
	require.Equal(t, "NotFound", e.Code)
	require.Equal(t, http.StatusNotFound, e.HTTPStatus())
	require.Equal(t, protocol.FaultSender, e.Fault)
	require.Equal(t, "Topic does not exist", e.Message)

	e = lambda.NewServiceException("boom")
	require.Equal(t, protocol.FaultReceiver, e.Fault)
	require.Equal(t, http.StatusInternalServerError, e.HTTPStatus())
}
