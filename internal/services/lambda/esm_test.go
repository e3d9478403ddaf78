package lambda

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

const (
	testQueueARN = "arn:aws:sqs:us-east-1:123456789012:jobs"
	testFIFOARN  = "arn:aws:sqs:us-east-1:123456789012:jobs.fifo"
)

// memQueues is an in-memory QueueClient: the edge of the Lambda service toward SQS.
// Receiving hides a message until it is deleted or made visible again.
type memQueues struct {
	mu      sync.Mutex
	queues  map[string]*Queue
	msgs    map[string][]*memMessage
	deleted map[string]bool
	n       int
	// sent wakes receivers waiting for a message.
	sent chan struct{}
}

type memMessage struct {
	QueueMessage
	hidden   bool
	receives int
}

func newMemQueues() *memQueues {
	return &memQueues{
		queues: map[string]*Queue{
			testQueueARN: {VisibilityTimeout: 30},
			testFIFOARN:  {FIFO: true, VisibilityTimeout: 30},
		},
		msgs: map[string][]*memMessage{}, deleted: map[string]bool{}, sent: make(chan struct{}, 1),
	}
}

var _ QueueClient = (*memQueues)(nil)

func (q *memQueues) Queue(_ context.Context, arn string) (*Queue, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if qu, ok := q.queues[arn]; ok {
		return qu, nil
	}
	return nil, ErrQueueNotFound
}

func (q *memQueues) send(arn, body string) string {
	q.mu.Lock()
	q.n++
	id := "m" + strconv.Itoa(q.n)
	q.msgs[arn] = append(q.msgs[arn], &memMessage{QueueMessage: QueueMessage{
		MessageID: id, ReceiptHandle: "rh-" + id, Body: body, MD5OfBody: "md5",
		Attributes: map[string]string{"SenderId": "123456789012", "SentTimestamp": "1", "DeadLetterQueueSourceArn": "x"},
		MessageAttributes: map[string]QueueMessageAttribute{
			"s": {DataType: "String", StringValue: ptr("v")},
			"b": {DataType: "Binary", BinaryValue: []byte{1, 2}},
		},
	}})
	q.mu.Unlock()
	select {
	case q.sent <- struct{}{}:
	default:
	}
	return id
}

func (q *memQueues) Receive(ctx context.Context, arn string, max int, wait time.Duration) ([]*QueueMessage, error) {
	if _, err := q.Queue(ctx, arn); err != nil {
		return nil, err
	}
	deadline := time.After(wait)
	for {
		q.mu.Lock()
		var out []*QueueMessage
		for _, m := range q.msgs[arn] {
			if len(out) == max {
				break
			}
			if !m.hidden && !q.deleted[m.MessageID] {
				m.hidden = true
				m.receives++
				c := m.QueueMessage
				c.Attributes = map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.receives)}
				for k, v := range m.Attributes {
					c.Attributes[k] = v
				}
				out = append(out, &c)
			}
		}
		q.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-q.sent:
		case <-deadline:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (q *memQueues) Delete(_ context.Context, _ string, handles []string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, h := range handles {
		q.deleted[h[len("rh-"):]] = true
	}
	return nil
}

func (q *memQueues) ChangeVisibility(_ context.Context, arn, handle string, _ int) error {
	q.mu.Lock()
	for _, m := range q.msgs[arn] {
		if m.ReceiptHandle == handle {
			m.hidden = false
		}
	}
	q.mu.Unlock()
	select {
	case q.sent <- struct{}{}:
	default:
	}
	return nil
}

// state returns which of ids are deleted and how often each was received.
func (q *memQueues) state(arn string) (deleted map[string]bool, receives map[string]int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	deleted, receives = map[string]bool{}, map[string]int{}
	for _, m := range q.msgs[arn] {
		deleted[m.MessageID] = q.deleted[m.MessageID]
		receives[m.MessageID] = m.receives
	}
	return deleted, receives
}

// esmBundle is a service with in-memory queues and running pollers.
type esmBundle struct {
	*testBundle
	queues *memQueues
}

func setupESM(t *testing.T) *esmBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	// The pollers' long polls and resyncs run on real time, short in these tests.
	clk := clock.Real{}
	dir := t.TempDir()
	qs := newMemQueues()
	svc := New(Deps{Store: db, Clock: clk, Queues: qs, NewRuntime: func() (*lambdart.Manager, error) {
		return lambdart.New(lambdart.Config{DataDir: dir, LogSink: lambdart.DiscardLogs, Logger: slog.New(slog.DiscardHandler)})
	}})
	t.Cleanup(svc.Stop)
	require.NoError(t, svc.Start(t.Context()))
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion, RequestID: "req-1", Protocol: protocol.RestJSON})
	return &esmBundle{testBundle: &testBundle{svc: svc, db: db, ctx: ctx}, queues: qs}
}

// esmTestHandler fails the records whose body starts with "fail" and raises on "crash".
const esmTestHandler = `def handler(event, context):
    failures = []
    for r in event["Records"]:
        if r["body"] == "crash":
            raise RuntimeError("crash")
        if r["body"].startswith("fail"):
            failures.append({"itemIdentifier": r["messageId"]})
    return {"batchItemFailures": failures}
`

func (b *esmBundle) MustCreateConsumer(t *testing.T, name string) {
	t.Helper()
	in := createInput(t, name)
	in.Code = &FunctionCode{ZipFile: MustZip(t, map[string]string{"app.py": esmTestHandler})}
	_, err := b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
}

func TestEventSourceMappingAPI(t *testing.T) {
	t.Parallel()
	b := setupESM(t)
	b.MustCreate(t, "fn")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: ptr("fn")})
	require.NoError(t, err)

	out, err := b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{
		EventSourceARN: ptr(testQueueARN), FunctionName: ptr("fn:1"), Enabled: ptr(false),
	})
	require.NoError(t, err)
	require.Equal(t, esmCreating, *out.State)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:fn:1", *out.FunctionARN)
	require.Equal(t, int32(10), *out.BatchSize)
	require.Equal(t, int32(0), *out.MaximumBatchingWindowInSeconds)
	require.Equal(t, esmNoRecords, *out.LastProcessingResult)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"+*out.UUID, *out.EventSourceMappingARN)

	// The unqualified function is another target of the same queue.
	other, err := b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("fn"), Enabled: ptr(false)})
	require.NoError(t, err)
	_, err = b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("arn:aws:lambda:us-east-1:123456789012:function:fn")})
	pe := requireCode(t, err, ErrCodeResourceConflictException)
	require.Contains(t, pe.Message, *other.UUID)

	// Pointing the first at the unqualified function conflicts with the second.
	_, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: out.UUID, FunctionName: ptr("fn")})
	requireCode(t, err, ErrCodeResourceConflictException)
	upd, err := b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{
		UUID: out.UUID, BatchSize: ptr(int32(100)), MaximumBatchingWindowInSeconds: ptr(int32(5)),
		ScalingConfig:  &ScalingConfig{MaximumConcurrency: ptr(int32(2))},
		FilterCriteria: &FilterCriteria{Filters: []*Filter{{Pattern: ptr(`{"body":["x"]}`)}}},
	})
	require.NoError(t, err)
	require.Equal(t, esmUpdating, *upd.State)
	require.Equal(t, int32(100), *upd.BatchSize)
	require.Equal(t, int32(2), *upd.ScalingConfig.MaximumConcurrency)
	require.Len(t, upd.FilterCriteria.Filters, 1)
	// An empty FilterCriteria removes the filters.
	upd, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: out.UUID, FilterCriteria: &FilterCriteria{}})
	require.NoError(t, err)
	require.Nil(t, upd.FilterCriteria)
	// Shrinking the window below what the batch size needs is refused.
	_, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: out.UUID, MaximumBatchingWindowInSeconds: ptr(int32(0))})
	requireCode(t, err, ErrCodeInvalidParameterValueException)
	upd, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: out.UUID, Enabled: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, esmEnabling, *upd.State)
	got, err := b.svc.GetEventSourceMapping(b.ctx, &GetEventSourceMappingInput{UUID: out.UUID})
	require.NoError(t, err)
	require.Equal(t, esmEnabled, *got.State)
	require.Equal(t, int32(5), *got.MaximumBatchingWindowInSeconds)

	list, err := b.svc.ListEventSourceMappings(b.ctx, &ListEventSourceMappingsInput{FunctionName: ptr("fn:1")})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)
	list, err = b.svc.ListEventSourceMappings(b.ctx, &ListEventSourceMappingsInput{FunctionName: ptr("fn"), MaxItems: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)
	require.NotNil(t, list.NextMarker)
	list, err = b.svc.ListEventSourceMappings(b.ctx, &ListEventSourceMappingsInput{FunctionName: ptr("fn"), Marker: list.NextMarker})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)
	require.Nil(t, list.NextMarker)
	// Another region sees nothing.
	west := protocol.WithCall(b.ctx, &protocol.Call{Account: testAccount, Region: "eu-west-1"})
	_, err = b.svc.GetEventSourceMapping(west, &GetEventSourceMappingInput{UUID: out.UUID})
	requireCode(t, err, ErrCodeResourceNotFoundException)

	del, err := b.svc.DeleteEventSourceMapping(b.ctx, &DeleteEventSourceMappingInput{UUID: out.UUID})
	require.NoError(t, err)
	require.Equal(t, esmDeleting, *del.State)
	_, err = b.svc.GetEventSourceMapping(b.ctx, &GetEventSourceMappingInput{UUID: out.UUID})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestEventSourceMappingCreateErrors(t *testing.T) {
	t.Parallel()
	b := setupESM(t)
	b.MustCreate(t, "fn")
	for _, tc := range []struct {
		name string
		in   CreateEventSourceMappingInput
		code string
	}{
		// AWS answers a mapping's missing function with InvalidParameterValueException.
		{"unknown function", CreateEventSourceMappingInput{FunctionName: ptr("nope")}, ErrCodeInvalidParameterValueException},
		{"unknown function and queue", CreateEventSourceMappingInput{FunctionName: ptr("nope"), EventSourceARN: ptr("arn:aws:sqs:us-east-1:123456789012:nope")}, ErrCodeInvalidParameterValueException},
		{"bad function name", CreateEventSourceMappingInput{FunctionName: ptr("a:b:c:d:e")}, ErrCodeInvalidParameterValueException},
		{"unknown queue", CreateEventSourceMappingInput{EventSourceARN: ptr("arn:aws:sqs:us-east-1:123456789012:nope")}, ErrCodeInvalidParameterValueException},
		{"kinesis", CreateEventSourceMappingInput{EventSourceARN: ptr("arn:aws:kinesis:us-east-1:123456789012:stream/s")}, ErrCodeInvalidParameterValueException},
		{"kafka", CreateEventSourceMappingInput{EventSourceARN: ptr("arn:aws:kafka:us-east-1:123456789012:cluster/c/1")}, ErrCodeInvalidParameterValueException},
		{"no source", CreateEventSourceMappingInput{EventSourceARN: nil}, ErrCodeInvalidParameterValueException},
		{"unknown service", CreateEventSourceMappingInput{EventSourceARN: ptr("arn:aws:s3:::bucket")}, ErrCodeInvalidParameterValueException},
		{"starting position", CreateEventSourceMappingInput{StartingPosition: ptr("LATEST")}, ErrCodeInvalidParameterValueException},
		{"retries", CreateEventSourceMappingInput{MaximumRetryAttempts: ptr(int32(1))}, ErrCodeInvalidParameterValueException},
		{"batch without window", CreateEventSourceMappingInput{BatchSize: ptr(int32(11))}, ErrCodeInvalidParameterValueException},
		{"fifo batch", CreateEventSourceMappingInput{EventSourceARN: ptr(testFIFOARN), BatchSize: ptr(int32(11)), MaximumBatchingWindowInSeconds: ptr(int32(1))}, ErrCodeInvalidParameterValueException},
		{"fifo window", CreateEventSourceMappingInput{EventSourceARN: ptr(testFIFOARN), MaximumBatchingWindowInSeconds: ptr(int32(1))}, ErrCodeInvalidParameterValueException},
		{"bad filter", CreateEventSourceMappingInput{FilterCriteria: &FilterCriteria{Filters: []*Filter{{Pattern: ptr(`{"body":1}`)}}}}, ErrCodeInvalidParameterValueException},
		{"too many filters", CreateEventSourceMappingInput{FilterCriteria: &FilterCriteria{Filters: []*Filter{
			{Pattern: ptr(`{"a":[1]}`)}, {Pattern: ptr(`{"a":[2]}`)}, {Pattern: ptr(`{"a":[3]}`)}, {Pattern: ptr(`{"a":[4]}`)}, {Pattern: ptr(`{"a":[5]}`)}, {Pattern: ptr(`{"a":[6]}`)},
		}}}, ErrCodeInvalidParameterValueException},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.FunctionName == nil {
				in.FunctionName = ptr("fn")
			}
			if in.EventSourceARN == nil && tc.name != "no source" {
				in.EventSourceARN = ptr(testQueueARN)
			}
			_, err := b.svc.CreateEventSourceMapping(b.ctx, &in)
			requireCode(t, err, tc.code)
		})
	}
	_, err := b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("fn:live")})
	pe := requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "Function does not exist", pe.Message)
	// A function timeout above the queue's visibility timeout is refused.
	in := createInput(t, "slow")
	in.Timeout = ptr(int32(31))
	_, err = b.svc.CreateFunction(b.ctx, in)
	require.NoError(t, err)
	_, err = b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("slow")})
	pe = requireCode(t, err, ErrCodeInvalidParameterValueException)
	require.Equal(t, "Queue visibility timeout: 30 seconds is less than Function timeout: 31 seconds", pe.Message)

	list, err := b.svc.ListEventSourceMappings(b.ctx, &ListEventSourceMappingsInput{})
	require.NoError(t, err)
	require.Empty(t, list.EventSourceMappings, "no failed create stored a mapping")
	_, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: ptr("00000000-0000-4000-8000-000000000000")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
	_, err = b.svc.DeleteEventSourceMapping(b.ctx, &DeleteEventSourceMappingInput{UUID: ptr("00000000-0000-4000-8000-000000000000")})
	requireCode(t, err, ErrCodeResourceNotFoundException)
}

func TestEventSourceMappingPolls(t *testing.T) {
	t.Parallel()
	b := setupESM(t)
	b.MustCreateConsumer(t, "consumer")
	ok1 := b.queues.send(testQueueARN, "ok")
	bad := b.queues.send(testQueueARN, "fail-me")
	ok2 := b.queues.send(testQueueARN, "ok too")
	m, err := b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{
		EventSourceARN: ptr(testQueueARN), FunctionName: ptr("consumer"),
		FunctionResponseTypes: []string{FunctionResponseTypeReportBatchItemFailures},
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		deleted, _ := b.queues.state(testQueueARN)
		return deleted[ok1] && deleted[ok2]
	}, 30*time.Second, 20*time.Millisecond, "successful records are deleted")
	deleted, _ := b.queues.state(testQueueARN)
	require.False(t, deleted[bad], "the reported failure stays")
	require.Eventually(t, func() bool {
		got, err := b.svc.GetEventSourceMapping(b.ctx, &GetEventSourceMappingInput{UUID: m.UUID})
		return err == nil && *got.LastProcessingResult == esmOK
	}, 10*time.Second, 20*time.Millisecond)

	// A function error leaves the whole batch.
	crash := b.queues.send(testQueueARN, "crash")
	require.Eventually(t, func() bool {
		got, err := b.svc.GetEventSourceMapping(b.ctx, &GetEventSourceMappingInput{UUID: m.UUID})
		return err == nil && *got.LastProcessingResult == esmProblem
	}, 30*time.Second, 20*time.Millisecond)
	deleted, receives := b.queues.state(testQueueARN)
	require.False(t, deleted[crash])
	require.Equal(t, 1, receives[crash])

	// Disabled, the mapping stops polling.
	_, err = b.svc.UpdateEventSourceMapping(b.ctx, &UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: ptr(false)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		b.svc.esm.mu.Lock()
		defer b.svc.esm.mu.Unlock()
		return len(b.svc.esm.running) == 0
	}, 10*time.Second, 20*time.Millisecond)
	late := b.queues.send(testQueueARN, "late")
	_, receives = b.queues.state(testQueueARN)
	require.Zero(t, receives[late])
}

func TestEventSourceMappingPollersRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := store.Open(t.Context(), store.Options{DataDir: dir})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	qs := newMemQueues()
	newSvc := func() *Service {
		return New(Deps{Store: db, Clock: clock.Real{}, Queues: qs, NewRuntime: func() (*lambdart.Manager, error) {
			return lambdart.New(lambdart.Config{DataDir: t.TempDir(), LogSink: lambdart.DiscardLogs, Logger: slog.New(slog.DiscardHandler)})
		}})
	}
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion, RequestID: "req-1"})
	first := newSvc()
	in := createInput(t, "consumer")
	in.Code = &FunctionCode{ZipFile: MustZip(t, map[string]string{"app.py": esmTestHandler})}
	_, err = first.CreateFunction(ctx, in)
	require.NoError(t, err)
	// Created before Start: the mapping is in the store only.
	_, err = first.CreateEventSourceMapping(ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("consumer")})
	require.NoError(t, err)
	first.Stop()
	first.Stop()

	second := newSvc()
	t.Cleanup(second.Stop)
	id := qs.send(testQueueARN, "after restart")
	require.NoError(t, second.Start(t.Context()))
	require.Eventually(t, func() bool {
		deleted, _ := qs.state(testQueueARN)
		return deleted[id]
	}, 30*time.Second, 20*time.Millisecond, "a service starts the pollers of the stored mappings")
}

func TestSQSRecordShape(t *testing.T) {
	t.Parallel()
	m := &store.LambdaESM{Region: "eu-west-1", EventSourceARN: testQueueARN}
	r := sqsRecordOf(m, &QueueMessage{
		MessageID: "id", ReceiptHandle: "rh", Body: "b", MD5OfBody: "md5", MD5OfMessageAttributes: "amd5",
		Attributes: map[string]string{"SenderId": "s", "DeadLetterQueueSourceArn": "arn:aws:sqs:eu-west-1:000000000000:src", "MessageGroupId": "g", "Unknown": "dropped"},
		MessageAttributes: map[string]QueueMessageAttribute{
			"s": {DataType: "String", StringValue: ptr("v")},
			"b": {DataType: "Binary", BinaryValue: []byte{1, 2, 3}},
		},
	})
	doc, err := json.Marshal(r)
	require.NoError(t, err)
	require.JSONEq(t, `{
		"messageId": "id", "receiptHandle": "rh", "body": "b",
		"attributes": {"SenderId": "s", "MessageGroupId": "g", "DeadLetterQueueSourceArn": "arn:aws:sqs:eu-west-1:000000000000:src"},
		"messageAttributes": {
			"s": {"stringValue": "v", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
			"b": {"binaryValue": "AQID", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}
		},
		"md5OfMessageAttributes": "amd5",
		"md5OfBody": "md5", "eventSource": "aws:sqs", "eventSourceARN": "`+testQueueARN+`", "awsRegion": "eu-west-1"
	}`, string(doc))

	// A message without attributes has a null digest of them.
	r = sqsRecordOf(m, &QueueMessage{MessageID: "id", ReceiptHandle: "rh", Body: "b", MD5OfBody: "md5", Attributes: map[string]string{"SenderId": "s"}})
	doc, err = json.Marshal(r)
	require.NoError(t, err)
	require.JSONEq(t, `{
		"messageId": "id", "receiptHandle": "rh", "body": "b",
		"attributes": {"SenderId": "s"}, "messageAttributes": {}, "md5OfMessageAttributes": null,
		"md5OfBody": "md5", "eventSource": "aws:sqs", "eventSourceARN": "`+testQueueARN+`", "awsRegion": "eu-west-1"
	}`, string(doc))
}

func TestMatchesFilters(t *testing.T) {
	t.Parallel()
	compile := func(docs ...string) []*pattern.Pattern {
		var out []*pattern.Pattern
		for _, d := range docs {
			p, err := pattern.ParseEventPattern([]byte(d))
			require.NoError(t, err)
			out = append(out, p)
		}
		return out
	}
	rec := func(body string) *sqsRecord {
		return &sqsRecord{MessageID: "1", Body: body, Attributes: map[string]string{"SenderId": "me"}, EventSource: "aws:sqs"}
	}
	require.True(t, matchesFilters(rec("x"), nil))
	byKind := compile(`{"body":{"kind":["order"]}}`)
	require.True(t, matchesFilters(rec(`{"kind":"order"}`), byKind))
	require.False(t, matchesFilters(rec(`{"kind":"refund"}`), byKind))
	// A JSON pattern on a body that is not JSON drops the record.
	require.False(t, matchesFilters(rec(`kind order`), byKind))
	// A plain-text body matches a string pattern.
	require.True(t, matchesFilters(rec(`hello`), compile(`{"body":["hello"]}`)))
	// Record fields other than the body, and several filters (any matches).
	require.True(t, matchesFilters(rec(`{}`), compile(`{"body":{"kind":["x"]}}`, `{"attributes":{"SenderId":["me"]}}`)))
	require.False(t, matchesFilters(rec(`{}`), compile(`{"eventSource":["aws:kinesis"]}`)))
}

func TestBatchItemFailures(t *testing.T) {
	t.Parallel()
	records := []*sqsRecord{{MessageID: "a"}, {MessageID: "b"}}
	for _, tc := range []struct {
		payload string
		failed  []string
		ok      bool
	}{
		{``, nil, true},
		{`null`, nil, true},
		{`{}`, nil, true},
		{`"done"`, nil, true},
		{`{"batchItemFailures":null}`, nil, true},
		{`{"batchItemFailures":[]}`, nil, true},
		{`{"batchItemFailures":[{"itemIdentifier":"b"}]}`, []string{"b"}, true},
		{`{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}`, []string{"a", "b"}, true},
		{`not json`, nil, false},
		{`{"batchItemFailures":[{"itemIdentifier":""}]}`, nil, false},
		{`{"batchItemFailures":[{"itemIdentifier":null}]}`, nil, false},
		{`{"batchItemFailures":[{"id":"a"}]}`, nil, false},
		{`{"batchItemFailures":[{"itemIdentifier":"zzz"}]}`, nil, false},
		{`{"batchItemFailures":"a"}`, nil, false},
	} {
		failed, ok := batchItemFailures([]byte(tc.payload), records)
		require.Equal(t, tc.ok, ok, tc.payload)
		for _, id := range tc.failed {
			require.True(t, failed[id], tc.payload)
		}
		require.Len(t, failed, len(tc.failed), tc.payload)
	}
}

func TestEventSourceMappingResetStopsPollers(t *testing.T) {
	t.Parallel()
	b := setupESM(t)
	b.MustCreateConsumer(t, "consumer")
	_, err := b.svc.CreateEventSourceMapping(b.ctx, &CreateEventSourceMappingInput{EventSourceARN: ptr(testQueueARN), FunctionName: ptr("consumer")})
	require.NoError(t, err)
	running := func() int {
		b.svc.esm.mu.Lock()
		defer b.svc.esm.mu.Unlock()
		return len(b.svc.esm.running)
	}
	require.Eventually(t, func() bool { return running() == 1 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, b.db.Reset(b.ctx, "lambda"))
	b.svc.Reset()
	require.Eventually(t, func() bool { return running() == 0 }, 10*time.Second, 10*time.Millisecond)
}
