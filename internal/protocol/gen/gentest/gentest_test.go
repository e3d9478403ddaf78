package gentest

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/events"
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

// TestValidationMessages: AWS validates in Java and quotes offending lists, maps and
// structures with Java's toString, and reports scalar list or map items that fail their
// constraints once, for the whole collection.
func TestValidationMessages(t *testing.T) {
	t.Parallel()
	message := func(in protocol.Validatable) string {
		vs := violations(in)
		require.NotEmpty(t, vs)
		return protocol.DefaultValidationError(nil, vs).Message
	}
	entry := &events.PutEventsRequestEntry{Source: ptr("core.update-account-command"),
		DetailType: ptr("core.update-account-command"), Detail: ptr(`{"command": "update-account"}`), EventBusName: ptr("bus")}
	entries := make([]*events.PutEventsRequestEntry, 11)
	for i := range entries {
		entries[i] = entry
	}
	one := "PutEventsRequestEntry(time=null, source=core.update-account-command, resources=null, " +
		`detailType=core.update-account-command, detail={"command": "update-account"}, eventBusName=bus, traceHeader=null)`
	// AWS's structure also prints members the public model does not list (kmsKeyIdentifier,
	// internalMetadata); those cannot be known here.
	msg := message(&events.PutEventsInput{Entries: entries})
	require.True(t, strings.HasPrefix(msg, "1 validation error detected: Value '["+one+", "+one+", "), msg)
	require.True(t, strings.HasSuffix(msg, one+"]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"), msg)

	require.Equal(t, "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
		message(&lambda.CreateFunctionInput{FunctionName: ptr("f"), Role: ptr("arn:aws:iam::123456789012:role/r"), Code: &lambda.FunctionCode{},
			Architectures: []string{"x86_64", "arm64"}}))

	require.Equal(t, "1 validation error detected: Value '[Nope]' at 'functionResponseTypes' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
		message(&lambda.UpdateEventSourceMappingInput{UUID: ptr("u"), FunctionResponseTypes: []string{"Nope"}}))

	// A map's values are reported the same way, numbers printed as Java prints doubles.
	require.Equal(t, "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: "+
		"Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
		message(&lambda.CreateAliasInput{FunctionName: ptr("f"), Name: ptr("a"), FunctionVersion: ptr("1"),
			RoutingConfig: &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 2}}}))

	// Map keys are checked too; a sensitive value is not quoted.
	require.Equal(t, "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: "+
		"Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
		message(&lambda.UpdateFunctionConfigurationInput{FunctionName: ptr("f"),
			Environment: &lambda.Environment{Variables: map[string]string{"MY-VAR": "x"}}}))
	require.Equal(t, "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: "+
		"Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, "+
		"Member must satisfy regular expression pattern: [0-9]+, Member must not be null]",
		message(&lambda.CreateAliasInput{FunctionName: ptr("f"), Name: ptr("a"), FunctionVersion: ptr("1"),
			RoutingConfig: &lambda.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"$LATEST": 0.5}}}))

	// Every constraint of the items is listed, not only the one that failed.
	require.Equal(t, "1 validation error detected: Value '[GET, POST, OPTIONS]' at 'cors.allowMethods' failed to satisfy constraint: "+
		"Member must satisfy constraint: [Member must have length less than or equal to 6, Member must have length greater than or equal to 0, "+
		"Member must satisfy regular expression pattern: .*, Member must not be null]",
		message(&lambda.CreateFunctionUrlConfigInput{FunctionName: ptr("f"), AuthType: ptr("NONE"),
			Cors: &lambda.Cors{AllowMethods: []string{"GET", "POST", "OPTIONS"}}}))
}
