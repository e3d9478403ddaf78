package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// sentMessage is one message a destination received.
type sentMessage struct {
	Dest, Body string
	Attrs      map[string]MessageAttribute
	// DetailType, Source and Resources are set for EventBridge destinations.
	DetailType, Source string
	Resources          []string
}

// targetRecorder records what Lambda hands to SQS, SNS and EventBridge.
type targetRecorder struct {
	mu   sync.Mutex
	sent []sentMessage
}

func (r *targetRecorder) add(m sentMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
}

func (r *targetRecorder) to(dest string) []sentMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentMessage
	for _, m := range r.sent {
		if m.Dest == dest {
			out = append(out, m)
		}
	}
	return out
}

func attrMap(attrs []MessageAttribute) map[string]MessageAttribute {
	m := map[string]MessageAttribute{}
	for _, a := range attrs {
		m[a.Name] = a
	}
	return m
}

func (r *targetRecorder) targets() Targets {
	return Targets{
		SendToSQS: func(_ context.Context, queueARN, body string, attrs []MessageAttribute) error {
			if queueARN == "arn:aws:sqs:us-east-1:123456789012:missing" {
				return NewResourceNotFoundException("no such queue")
			}
			r.add(sentMessage{Dest: queueARN, Body: body, Attrs: attrMap(attrs)})
			return nil
		},
		PublishToSNS: func(_ context.Context, topicARN, message string, attrs []MessageAttribute) error {
			r.add(sentMessage{Dest: topicARN, Body: message, Attrs: attrMap(attrs)})
			return nil
		},
		PutEvent: func(_ context.Context, busARN, source, detailType, detail string, resources []string) error {
			r.add(sentMessage{Dest: busARN, Body: detail, Source: source, DetailType: detailType, Resources: resources})
			return nil
		},
	}
}

// setupAsync is a service with a dispatcher whose retries are 1,000 times shorter than
// AWS's (a one-minute retry waits 60 ms), handing its destinations to a recorder.
func setupAsync(t *testing.T, sink lambdart.LogSink) (*testBundle, *targetRecorder) {
	t.Helper()
	return setupAsyncScaled(t, sink, 0.001)
}

// setupAsyncScaled is setupAsync with retry delays multiplied by scale.
func setupAsyncScaled(t *testing.T, sink lambdart.LogSink, scale float64) (*testBundle, *targetRecorder) {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	d := delivery.New(delivery.Config{Store: db, RetryScale: scale, DeadLetterRetry: 50 * time.Millisecond})
	rec := &targetRecorder{}
	svc := New(Deps{Store: db, Clock: clk, Dispatcher: d, Targets: rec.targets(), NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: dir, LogSink: sink, Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(svc.Stop)
	require.NoError(t, d.Start(t.Context()))
	t.Cleanup(d.Stop)
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion, RequestID: "req-async", Protocol: protocol.RestJSON})
	return &testBundle{svc: svc, db: db, clock: clk, ctx: ctx}, rec
}

// eventually waits for cond, polling.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 30*time.Second, 10*time.Millisecond)
}

func decodeRecord(t *testing.T, body string) invocationRecord {
	t.Helper()
	var r invocationRecord
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	require.Equal(t, "1.0", r.Version)
	_, err := time.Parse("2006-01-02T15:04:05.000Z", r.Timestamp)
	require.NoError(t, err)
	return r
}

func TestAsyncFailureToDeadLetterQueueAndDestination(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	b, rec := setupAsync(t, logs)
	const dlq, failures = "arn:aws:sqs:us-east-1:123456789012:dlq", "arn:aws:sns:us-east-1:123456789012:failures"
	in := createInput(t, "fails")
	in.DeadLetterConfig = &DeadLetterConfig{TargetARN: ptr(dlq)}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("fails"),
		MaximumRetryAttempts: ptr(int32(1)), DestinationConfig: &DestinationConfig{OnFailure: &OnFailure{Destination: ptr(failures)}}})
	require.NoError(t, err)

	out, err := b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("fails"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), *out.StatusCode)

	eventually(t, func() bool { return len(rec.to(dlq)) == 1 && len(rec.to(failures)) == 1 })
	// One retry: two attempts in all. Their logs reach the sink shortly after.
	eventually(t, func() bool { return logs.count("hello from fails") == 2 })

	m := rec.to(dlq)[0]
	require.JSONEq(t, `{"fail":true}`, m.Body)
	require.Equal(t, MessageAttribute{Name: "RequestID", DataType: "String", Value: "req-async"}, m.Attrs["RequestID"])
	require.Equal(t, MessageAttribute{Name: "ErrorCode", DataType: "Number", Value: "200"}, m.Attrs["ErrorCode"])
	require.Equal(t, MessageAttribute{Name: "ErrorMessage", DataType: "String", Value: "boom"}, m.Attrs["ErrorMessage"])

	r := decodeRecord(t, rec.to(failures)[0].Body)
	require.Equal(t, requestContext{RequestID: "req-async", FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:fails:$LATEST",
		Condition: conditionRetriesExhausted, ApproximateInvokeCount: 2}, r.RequestContext)
	require.JSONEq(t, `{"fail":true}`, string(r.RequestPayload))
	require.Equal(t, &responseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"}, r.ResponseContext)
	var doc struct{ ErrorMessage, ErrorType string }
	require.NoError(t, json.Unmarshal(r.ResponsePayload, &doc))
	require.Equal(t, "boom", doc.ErrorMessage)
	require.Equal(t, "ValueError", doc.ErrorType)
}

func TestAsyncSuccessDestinations(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	b, rec := setupAsync(t, logs)
	const bus = "arn:aws:events:us-east-1:123456789012:event-bus/results"
	b.MustCreate(t, "works")
	b.MustCreate(t, "next")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("works")})
	require.NoError(t, err)
	_, err = b.svc.CreateAlias(b.ctx, &CreateAliasInput{FunctionName: ptr("works"), Name: ptr("live"), FunctionVersion: ptr("1")})
	require.NoError(t, err)
	// The alias's configuration governs invocations through the alias, $LATEST's the
	// unqualified ones.
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("works"), Qualifier: ptr("live"),
		DestinationConfig: &DestinationConfig{OnSuccess: &OnSuccess{Destination: ptr(bus)}}})
	require.NoError(t, err)
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("works"),
		DestinationConfig: &DestinationConfig{OnSuccess: &OnSuccess{Destination: ptr("arn:aws:lambda:us-east-1:123456789012:function:next")}}})
	require.NoError(t, err)

	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("works:live"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{"n":1}`)})
	require.NoError(t, err)
	eventually(t, func() bool { return len(rec.to(bus)) == 1 })
	m := rec.to(bus)[0]
	require.Equal(t, "lambda", m.Source)
	require.Equal(t, "Lambda Function Invocation Result - Success", m.DetailType)
	require.Equal(t, []string{"arn:aws:lambda:us-east-1:123456789012:function:works:live", bus}, m.Resources)
	r := decodeRecord(t, m.Body)
	require.Equal(t, requestContext{RequestID: "req-async", FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:works:live",
		Condition: conditionSuccess, ApproximateInvokeCount: 1}, r.RequestContext)
	require.Equal(t, &responseContext{StatusCode: 200, ExecutedVersion: "1"}, r.ResponseContext)
	require.JSONEq(t, `{"echo":{"n":1},"greeting":""}`, string(r.ResponsePayload))

	// The on-success function destination is invoked asynchronously with the record.
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("works"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{"n":2}`)})
	require.NoError(t, err)
	eventually(t, func() bool { return logs.count("hello from next") == 1 })
	require.Empty(t, rec.to("arn:aws:lambda:us-east-1:123456789012:function:next"))
}

func TestAsyncZeroReservedConcurrencyFailsAtOnce(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	b, rec := setupAsync(t, logs)
	const dlq, missing = "arn:aws:sns:us-east-1:123456789012:dlq", "arn:aws:sqs:us-east-1:123456789012:missing"
	in := createInput(t, "off")
	in.DeadLetterConfig = &DeadLetterConfig{TargetARN: ptr(dlq)}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	_, err = b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("off"),
		DestinationConfig: &DestinationConfig{OnFailure: &OnFailure{Destination: ptr(missing)}}})
	require.NoError(t, err)
	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("off"), ReservedConcurrentExecutions: ptr(int32(0))})
	require.NoError(t, err)

	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("off"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{}`)})
	require.NoError(t, err)
	eventually(t, func() bool { return len(rec.to(dlq)) == 1 })
	m := rec.to(dlq)[0]
	require.Equal(t, "429", m.Attrs["ErrorCode"].Value)
	require.Equal(t, "Rate Exceeded.", m.Attrs["ErrorMessage"].Value)
	require.Zero(t, logs.count("hello from off"))
	// A destination that does not exist drops the record; nothing else is affected.
	require.Empty(t, rec.to(missing))
}

// AWS sends the on-failure record of an event refused for zero reserved concurrency with
// the condition ZeroReservedConcurrency, no invocation counted and no response.
func TestAsyncZeroReservedConcurrencyRecord(t *testing.T) {
	t.Parallel()
	b, rec := setupAsync(t, &logRecorder{})
	const failures = "arn:aws:sqs:us-east-1:123456789012:failures"
	b.MustCreate(t, "zero")
	_, err := b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("zero"),
		DestinationConfig: &DestinationConfig{OnFailure: &OnFailure{Destination: ptr(failures)}}})
	require.NoError(t, err)
	_, err = b.svc.PutFunctionConcurrency(b.ctx, &PutFunctionConcurrencyInput{FunctionName: ptr("zero"), ReservedConcurrentExecutions: ptr(int32(0))})
	require.NoError(t, err)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("zero"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{}`)})
	require.NoError(t, err)
	eventually(t, func() bool { return len(rec.to(failures)) == 1 })
	r := decodeRecord(t, rec.to(failures)[0].Body)
	require.Equal(t, "ZeroReservedConcurrency", r.RequestContext.Condition)
	require.Equal(t, 0, r.RequestContext.ApproximateInvokeCount)
	require.Nil(t, r.ResponseContext)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:zero:$LATEST", r.RequestContext.FunctionARN)
}

func TestAsyncEventAgeExceeded(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	// AWS's own delays: the first retry would come a minute after the first attempt, when
	// the event is past its maximum age of 60 seconds, so it expires at once.
	b, rec := setupAsyncScaled(t, logs, 1)
	const failures = "arn:aws:sqs:us-east-1:123456789012:failures"
	b.MustCreate(t, "old")
	_, err := b.svc.PutFunctionEventInvokeConfig(b.ctx, &PutFunctionEventInvokeConfigInput{FunctionName: ptr("old"),
		MaximumEventAgeInSeconds: ptr(int32(60)), DestinationConfig: &DestinationConfig{OnFailure: &OnFailure{Destination: ptr(failures)}}})
	require.NoError(t, err)
	_, err = b.svc.Invoke(b.ctx, &InvokeInput{FunctionName: ptr("old"), InvocationType: ptr(InvocationTypeEvent), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	eventually(t, func() bool { return len(rec.to(failures)) == 1 })
	r := decodeRecord(t, rec.to(failures)[0].Body)
	require.Equal(t, conditionEventAgeExceeded, r.RequestContext.Condition)
	require.Equal(t, 1, r.RequestContext.ApproximateInvokeCount)
	require.Equal(t, "Unhandled", r.ResponseContext.FunctionError)
	eventually(t, func() bool { return logs.count("hello from old") == 1 })
}

func TestAsyncPolicyFromConfig(t *testing.T) {
	t.Parallel()
	none := (*eventConfig)(nil).policy()
	require.Equal(t, delivery.LambdaAsync(2, 6*time.Hour), none)
	c := &eventConfig{Retries: ptr(int32(0)), MaxAge: ptr(int32(60))}
	require.Equal(t, delivery.LambdaAsync(0, time.Minute), c.policy())
}

func TestFunctionErrorSurvivesAsText(t *testing.T) {
	t.Parallel()
	fe := &functionError{ExecutedVersion: "3", FunctionError: "Unhandled", Payload: `{"errorMessage":"x"}`}
	// After a restart the delivery layer has only the error's text.
	got := functionErrorFrom(errors.New(fe.Error()))
	require.Equal(t, fe, got)
	require.Same(t, fe, functionErrorFrom(fe))
	require.Nil(t, functionErrorFrom(errors.New("something else")))
	require.Nil(t, functionErrorFrom(nil))

	code, msg := dlqError(&delivery.Failure{Err: fe}, fe)
	require.Equal(t, 200, code)
	require.Equal(t, "x", msg)
	code, _ = dlqError(&delivery.Failure{Reason: delivery.EventAgeExceeded}, nil)
	require.Equal(t, 500, code)
}
