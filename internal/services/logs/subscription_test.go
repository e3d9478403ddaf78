package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeFunctions stands for Lambda: the functions that exist, and the invocations queued.
type fakeFunctions struct {
	mu       sync.Mutex
	existing map[string]bool
	invoked  []fakeInvocation
}

type fakeInvocation struct {
	arn     string
	payload []byte
}

func (f *fakeFunctions) FunctionExists(_ context.Context, arn string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.existing[arn], nil
}

func (f *fakeFunctions) InvokeAsync(_ context.Context, arn string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invoked = append(f.invoked, fakeInvocation{arn, payload})
	return nil
}

// take returns and forgets the invocations so far.
func (f *fakeFunctions) take() []fakeInvocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.invoked
	f.invoked = nil
	return out
}

const (
	testFunction = "arn:aws:lambda:us-east-1:123456789012:function:shipper"
	otherFunc    = "arn:aws:lambda:us-east-1:123456789012:function:other"
)

// setupSubscriptions is setup with a fake Lambda holding testFunction and otherFunc.
func setupSubscriptions(t *testing.T) (*testBundle, *fakeFunctions) {
	t.Helper()
	b := setup(t)
	fns := &fakeFunctions{existing: map[string]bool{testFunction: true, otherFunc: true}}
	b.svc.fns = fns
	return b, fns
}

func subscriptionInput(group, name, pattern, dest string) *PutSubscriptionFilterInput {
	return &PutSubscriptionFilterInput{LogGroupName: ptr(group), FilterName: ptr(name), FilterPattern: ptr(pattern), DestinationARN: ptr(dest)}
}

// decodeDelivery decodes a payload as a Lambda function subscribed to a log group does.
func decodeDelivery(t *testing.T, payload []byte) *subscriptionMessage {
	t.Helper()
	var outer struct {
		AWSLogs struct {
			Data string `json:"data"`
		} `json:"awslogs"`
	}
	require.NoError(t, json.Unmarshal(payload, &outer))
	raw, err := base64.StdEncoding.DecodeString(outer.AWSLogs.Data)
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	require.NoError(t, err)
	doc, err := io.ReadAll(zr)
	require.NoError(t, err)
	var msg subscriptionMessage
	require.NoError(t, json.Unmarshal(doc, &msg))
	return &msg
}

func TestSubscriptionFilterLifecycle(t *testing.T) {
	t.Parallel()
	b, _ := setupSubscriptions(t)
	b.MustGroup(t, "/app")

	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/missing", "s", "", testFunction))
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "s", `{ $.x = `, testFunction))
	RequireCode(t, err, ErrCodeInvalidParameterException, "")

	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "b-errors", "ERROR", testFunction))
	require.NoError(t, err)
	in := subscriptionInput("/app", "a-all", "", otherFunc)
	in.Distribution = ptr("Random")
	_, err = b.svc.PutSubscriptionFilter(b.ctx, in)
	require.NoError(t, err)

	// A third filter is over AWS's limit of two; replacing one is not.
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "c", "", testFunction))
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "b-errors", "?ERROR ?FATAL", testFunction))
	require.NoError(t, err)

	out, err := b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app")})
	require.NoError(t, err)
	require.Len(t, out.SubscriptionFilters, 2)
	a, e := out.SubscriptionFilters[0], out.SubscriptionFilters[1]
	require.Equal(t, "a-all", *a.FilterName)
	require.Equal(t, "Random", *a.Distribution)
	require.Equal(t, otherFunc, *a.DestinationARN)
	require.Equal(t, "b-errors", *e.FilterName)
	require.Equal(t, "?ERROR ?FATAL", *e.FilterPattern)
	require.Equal(t, "ByLogStream", *e.Distribution)
	require.Equal(t, "/app", *e.LogGroupName)
	require.Equal(t, b.nowMs(), *e.CreationTime)

	page, err := b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app"), Limit: ptr(int32(1))})
	require.NoError(t, err)
	require.Equal(t, "a-all", *page.SubscriptionFilters[0].FilterName)
	require.NotNil(t, page.NextToken)
	page, err = b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app"), Limit: ptr(int32(1)), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Equal(t, "b-errors", *page.SubscriptionFilters[0].FilterName)
	require.Nil(t, page.NextToken)
	prefixed, err := b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app"), FilterNamePrefix: ptr("b")})
	require.NoError(t, err)
	require.Len(t, prefixed.SubscriptionFilters, 1)
	_, err = b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/missing")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app"), NextToken: ptr("bogus")})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgInvalidNextToken)

	_, err = b.svc.DeleteSubscriptionFilter(b.ctx, &DeleteSubscriptionFilterInput{LogGroupName: ptr("/app"), FilterName: ptr("a-all")})
	require.NoError(t, err)
	_, err = b.svc.DeleteSubscriptionFilter(b.ctx, &DeleteSubscriptionFilterInput{LogGroupName: ptr("/app"), FilterName: ptr("a-all")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgSubFilterNotFound)
	_, err = b.svc.DeleteSubscriptionFilter(b.ctx, &DeleteSubscriptionFilterInput{LogGroupName: ptr("/missing"), FilterName: ptr("a-all")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
}

func TestSubscriptionFilterDestinations(t *testing.T) {
	t.Parallel()
	b, _ := setupSubscriptions(t)
	b.MustGroup(t, "/app")
	tests := []struct {
		name, dest string
		role       *string
		wantCode   string
		wantMsg    string
	}{
		{"kinesis", "arn:aws:kinesis:us-east-1:123456789012:stream/s", ptr("arn:aws:iam::123456789012:role/r"), "", "Kinesis Data Streams"},
		{"firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/d", ptr("arn:aws:iam::123456789012:role/r"), "", "Firehose"},
		{"kinesis without role", "arn:aws:kinesis:us-east-1:123456789012:stream/s", nil, "", "destinationArn for vendor kinesis cannot be used without roleArn"},
		{"firehose without role", "arn:aws:firehose:us-east-1:123456789012:deliverystream/d", nil, "", "destinationArn for vendor firehose cannot be used without roleArn"},
		{"logs destination", "arn:aws:logs:us-east-1:123456789012:destination:d", nil, "", msgTestMessageNotDelivered},
		{"missing function", "arn:aws:lambda:us-east-1:123456789012:function:nope", nil, "", msgLambdaNotInvocable},
		{"other account", "arn:aws:lambda:us-east-1:210987654321:function:shipper", nil, ErrCodeAccessDeniedException, msgCrossAccountLambda},
		{"other region", "arn:aws:lambda:eu-west-1:123456789012:function:shipper", nil, "", msgLambdaNotInvocable},
		{"other service", "arn:aws:sqs:us-east-1:123456789012:q", nil, "", "Invalid destinationArn"},
		{"not an ARN", "shipper", nil, "", "Invalid destinationArn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := subscriptionInput("/app", "s", "", tt.dest)
			in.RoleARN = tt.role
			code := tt.wantCode
			if code == "" {
				code = ErrCodeInvalidParameterException
			}
			_, err := b.svc.PutSubscriptionFilter(b.ctx, in)
			perr := RequireCode(t, err, code, "")
			require.Contains(t, perr.Message, tt.wantMsg)
		})
	}
	out, err := b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app")})
	require.NoError(t, err)
	require.Empty(t, out.SubscriptionFilters, "a refused filter is not stored")

	// Without Lambda, no function can be a destination.
	b.svc.fns = nil
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "s", "", testFunction))
	RequireCode(t, err, ErrCodeInvalidParameterException, msgLambdaNotInvocable)
}

func TestSubscriptionDeliversPutLogEvents(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	b.MustStream(t, "/app", "web-1")
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "errors", "ERROR", testFunction))
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "all", "", otherFunc))
	require.NoError(t, err)

	now := b.nowMs()
	b.MustPut(t, "/app", "web-1", []int64{now - 2, now - 1, now}, "INFO start", "ERROR boom", "ERROR again")
	got := fns.take()
	require.Len(t, got, 2)
	byARN := map[string]*subscriptionMessage{}
	for _, inv := range got {
		byARN[inv.arn] = decodeDelivery(t, inv.payload)
	}
	errs := byARN[testFunction]
	require.Equal(t, "DATA_MESSAGE", errs.MessageType)
	require.Equal(t, testAccount, errs.Owner)
	require.Equal(t, "/app", errs.LogGroup)
	require.Equal(t, "web-1", errs.LogStream)
	require.Equal(t, []string{"errors"}, errs.SubscriptionFilters)
	require.Len(t, errs.LogEvents, 2)
	require.Equal(t, "ERROR boom", errs.LogEvents[0].Message)
	require.Equal(t, now-1, errs.LogEvents[0].Timestamp)
	require.Len(t, errs.LogEvents[0].ID, 56)
	require.NotEqual(t, errs.LogEvents[0].ID, errs.LogEvents[1].ID)
	require.Len(t, byARN[otherFunc].LogEvents, 3)

	// Nothing matching, nothing delivered; rejected events are not delivered either.
	b.MustPut(t, "/app", "web-1", []int64{now + 1}, "INFO fine")
	require.Len(t, fns.take(), 1, "only the match-all filter")
	_, err = b.svc.DeleteSubscriptionFilter(b.ctx, &DeleteSubscriptionFilterInput{LogGroupName: ptr("/app"), FilterName: ptr("all")})
	require.NoError(t, err)
	b.MustPut(t, "/app", "web-1", []int64{now - 15*dayMs}, "ERROR too old")
	require.Empty(t, fns.take())
}

func TestSubscriptionDeliversEmit(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	group := "/aws/lambda/producer"
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, "s1", []Event{{Message: "first"}}))
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput(group, "ship", "", testFunction))
	require.NoError(t, err)
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, group, "s1", []Event{{Message: "a"}, {Message: "b"}}))
	got := fns.take()
	require.Len(t, got, 1)
	msg := decodeDelivery(t, got[0].payload)
	require.Equal(t, group, msg.LogGroup)
	require.Equal(t, "s1", msg.LogStream)
	require.Equal(t, []string{"a", "b"}, []string{msg.LogEvents[0].Message, msg.LogEvents[1].Message})
}

func TestSubscriptionNeverLoops(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	own := "/aws/lambda/shipper"
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, own, "s1", []Event{{Message: "boot"}}))
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput(own, "self", "", testFunction))
	require.NoError(t, err)
	// The function's own output is not delivered back to it...
	require.NoError(t, b.svc.Emit(b.ctx, testAccount, testRegion, own, "s1", []Event{{Message: "processed 3 events"}}))
	require.Empty(t, fns.take())
	// ...but events a client puts in the group are.
	b.MustStream(t, own, "client")
	b.MustPut(t, own, "client", []int64{b.nowMs()}, "from a client")
	require.Len(t, fns.take(), 1)
}

func TestSubscriptionSplitsLargeDeliveries(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	b.svc.cfg.MaxDeliveryPayload = 2048
	b.MustStream(t, "/app", "s")
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "all", "", testFunction))
	require.NoError(t, err)
	// Distinct messages that do not compress to nothing: 40 of them exceed 2 KB.
	const n = 40
	msgs := make([]string, n)
	ts := make([]int64, n)
	for i := range msgs {
		sum := sha256.Sum256([]byte{byte(i)})
		msgs[i] = hex.EncodeToString(sum[:])
		ts[i] = b.nowMs()
	}
	b.MustPut(t, "/app", "s", ts, msgs...)
	got := fns.take()
	require.Greater(t, len(got), 1)
	var seen []string
	for _, inv := range got {
		require.LessOrEqual(t, len(inv.payload), 2048)
		for _, e := range decodeDelivery(t, inv.payload).LogEvents {
			seen = append(seen, e.Message)
		}
	}
	require.Equal(t, msgs, seen, "every event once, in order")
}

func TestSubscriptionFiltersGoWithTheirGroup(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	b.MustStream(t, "/app", "s")
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "all", "", testFunction))
	require.NoError(t, err)
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("/app")})
	require.NoError(t, err)
	b.MustStream(t, "/app", "s")
	b.MustPut(t, "/app", "s", []int64{b.nowMs()}, "x")
	require.Empty(t, fns.take())
}
