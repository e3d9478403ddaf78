package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// esmHandler is the function the mapping tests deploy: it appends every record it gets
// (as one JSON line) to the file $SINK, and reports as failed the records whose body
// says "fail", or fails the whole invocation on a body "crash".
const esmHandler = `import json, os

def handler(event, context):
    failures = []
    with open(os.environ["SINK"], "a") as f:
        for r in event["Records"]:
            f.write(json.dumps(r) + "\n")
            if r["body"] == "crash":
                raise RuntimeError("crash")
            if r["body"].startswith("fail"):
                failures.append({"itemIdentifier": r["messageId"]})
        f.flush()
        os.fsync(f.fileno())
    return {"batchItemFailures": failures}
`

// esmSinkDir returns a directory a function can write to: functions of a server running
// as root get a private /tmp, so the sink lives outside it when it can.
func esmSinkDir(t *testing.T) string {
	t.Helper()
	base := "/var/tmp"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = ""
	}
	dir, err := os.MkdirTemp(base, "overcast-esm-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// esmZip zips the source as app.py.
func esmZip(t *testing.T, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("app.py")
	require.NoError(t, err)
	_, err = w.Write([]byte(src))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// esmFixture is a function writing to a sink file and a queue.
type esmFixture struct {
	lam      *lambda.Client
	sqs      *sqs.Client
	name     string
	fnARN    string
	sink     string
	queueURL string
	queueARN string
}

func newESMFixture(t *testing.T, srv *harness.Server, queueAttrs map[string]string, fifo bool) *esmFixture {
	t.Helper()
	ctx := t.Context()
	f := &esmFixture{lam: client(srv), sqs: srv.SQS(), name: uniqueName(t)}
	f.sink = filepath.Join(esmSinkDir(t), "records")
	fn, err := f.lam.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(f.name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("app.handler"), Code: &types.FunctionCode{ZipFile: esmZip(t, esmHandler)},
		Environment: &types.Environment{Variables: map[string]string{"SINK": f.sink}},
	})
	require.NoError(t, err)
	f.fnARN = aws.ToString(fn.FunctionArn)
	qname := f.name
	attrs := map[string]string{"VisibilityTimeout": "30"}
	for k, v := range queueAttrs {
		attrs[k] = v
	}
	if fifo {
		qname += ".fifo"
		attrs["FifoQueue"] = "true"
	}
	q, err := f.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(qname), Attributes: attrs})
	require.NoError(t, err)
	f.queueURL = aws.ToString(q.QueueUrl)
	got, err := f.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	require.NoError(t, err)
	f.queueARN = got.Attributes["QueueArn"]
	return f
}

// records reads the records the function got so far.
func (f *esmFixture) records(t *testing.T) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(f.sink)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		out = append(out, r)
	}
	return out
}

func (f *esmFixture) bodies(t *testing.T) []string {
	var out []string
	for _, r := range f.records(t) {
		out = append(out, r["body"].(string))
	}
	return out
}

func (f *esmFixture) send(t *testing.T, body string, mod ...func(*sqs.SendMessageInput)) {
	t.Helper()
	in := &sqs.SendMessageInput{QueueUrl: aws.String(f.queueURL), MessageBody: aws.String(body)}
	for _, m := range mod {
		m(in)
	}
	_, err := f.sqs.SendMessage(t.Context(), in)
	require.NoError(t, err)
}

// queueCount returns the visible plus in-flight messages of a queue.
func queueCount(t *testing.T, c *sqs.Client, url string) int {
	t.Helper()
	got, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	require.NoError(t, err)
	a, _ := strconv.Atoi(got.Attributes["ApproximateNumberOfMessages"])
	b, _ := strconv.Atoi(got.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return a + b
}

func TestEventSourceMappingCRUD(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)

	created, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name), Enabled: aws.Bool(false),
		BatchSize: aws.Int32(50), MaximumBatchingWindowInSeconds: aws.Int32(2),
		ScalingConfig:         &types.ScalingConfig{MaximumConcurrency: aws.Int32(3)},
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		FilterCriteria:        &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":{"kind":["a"]}}`)}}},
	})
	require.NoError(t, err)
	uuid := aws.ToString(created.UUID)
	require.Len(t, uuid, 36)
	require.Equal(t, "Creating", aws.ToString(created.State))
	require.Equal(t, f.fnARN, aws.ToString(created.FunctionArn))
	require.Equal(t, f.queueARN, aws.ToString(created.EventSourceArn))
	require.Equal(t, int32(50), aws.ToInt32(created.BatchSize))
	require.Equal(t, "USER_INITIATED", aws.ToString(created.StateTransitionReason))
	require.NotNil(t, created.LastModified)

	got, err := f.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	require.NoError(t, err)
	require.Equal(t, "Disabled", aws.ToString(got.State))
	require.Equal(t, int32(2), aws.ToInt32(got.MaximumBatchingWindowInSeconds))
	require.Equal(t, int32(3), aws.ToInt32(got.ScalingConfig.MaximumConcurrency))
	require.Equal(t, `{"body":{"kind":["a"]}}`, aws.ToString(got.FilterCriteria.Filters[0].Pattern))
	require.Equal(t, []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures}, got.FunctionResponseTypes)

	// The same queue and function again conflict.
	_, err = f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name)})
	ae := requireError[*types.ResourceConflictException](t, err, "ResourceConflictException", 409)
	require.Contains(t, ae.ErrorMessage(), uuid)

	upd, err := f.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(true), BatchSize: aws.Int32(5)})
	require.NoError(t, err)
	require.Equal(t, "Enabling", aws.ToString(upd.State))
	require.Equal(t, int32(5), aws.ToInt32(upd.BatchSize))
	got, err = f.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	require.NoError(t, err)
	require.Equal(t, "Enabled", aws.ToString(got.State))

	list, err := f.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(f.name)})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)
	require.Equal(t, uuid, aws.ToString(list.EventSourceMappings[0].UUID))
	list, err = f.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(f.queueARN)})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)

	// The CLI sees the same mapping.
	var cli struct{ UUID, State, EventSourceArn string }
	srv.MustAWS(t, &cli, "lambda", "get-event-source-mapping", "--uuid", uuid)
	require.Equal(t, uuid, cli.UUID)
	require.Equal(t, "Enabled", cli.State)

	del, err := f.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	require.NoError(t, err)
	require.Equal(t, "Deleting", aws.ToString(del.State))
	_, err = f.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = f.lam.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	_, err = f.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
}

func TestEventSourceMappingErrors(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)
	fifo := newESMFixture(t, srv, nil, true)
	create := func(mod func(in *lambda.CreateEventSourceMappingInput)) error {
		in := &lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name), Enabled: aws.Bool(false)}
		mod(in)
		_, err := f.lam.CreateEventSourceMapping(ctx, in)
		return err
	}
	invalid := func(err error, contains string) {
		t.Helper()
		ae := requireError[*types.InvalidParameterValueException](t, err, "InvalidParameterValueException", 400)
		require.Contains(t, ae.ErrorMessage(), contains)
	}
	// AWS answers a missing function with InvalidParameterValueException, and looks the
	// function up before the queue.
	err := create(func(in *lambda.CreateEventSourceMappingInput) { in.FunctionName = aws.String("no-such-function") })
	invalid(err, "Function does not exist")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.FunctionName = aws.String("no-such-function")
		in.EventSourceArn = aws.String("arn:aws:sqs:us-east-1:" + defaultAccount + ":no-such-queue")
	})
	invalid(err, "Function does not exist")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.EventSourceArn = aws.String("arn:aws:sqs:us-east-1:" + defaultAccount + ":no-such-queue")
	})
	invalid(err, "NonExistentQueue")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.EventSourceArn = aws.String("arn:aws:kinesis:us-east-1:" + defaultAccount + ":stream/s")
		in.StartingPosition = types.EventSourcePositionLatest
	})
	invalid(err, "Overcast does not serve")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.EventSourceArn = aws.String("arn:aws:dynamodb:us-east-1:" + defaultAccount + ":table/t/stream/2024")
	})
	invalid(err, "Overcast does not serve")
	err = create(func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(11) })
	invalid(err, "Maximum batch window")
	err = create(func(in *lambda.CreateEventSourceMappingInput) { in.StartingPosition = types.EventSourcePositionLatest })
	invalid(err, "StartingPosition")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.FilterCriteria = &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body": "not a list"}`)}}}
	})
	invalid(err, "filter")
	err = create(func(in *lambda.CreateEventSourceMappingInput) {
		in.EventSourceArn, in.FunctionName, in.BatchSize = aws.String(fifo.queueARN), aws.String(fifo.name), aws.Int32(20)
		in.MaximumBatchingWindowInSeconds = aws.Int32(1)
	})
	invalid(err, "")
	// A visibility timeout shorter than the function's timeout is refused.
	_, err = f.lam.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(f.name), Timeout: aws.Int32(60)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		c, err := f.lam.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(f.name)})
		return err == nil && c.LastUpdateStatus == types.LastUpdateStatusSuccessful
	}, 30*time.Second, 100*time.Millisecond)
	err = create(func(*lambda.CreateEventSourceMappingInput) {})
	invalid(err, "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
	// Model ranges are checked before anything else.
	err = create(func(in *lambda.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(301) })
	require.Error(t, err)
	_, err = f.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String("00000000-0000-4000-8000-000000000000")})
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", 404)
	// Nothing was created.
	list, err := f.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(f.name)})
	require.NoError(t, err)
	require.Empty(t, list.EventSourceMappings)
}

func TestEventSourceMappingBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	f := newESMFixture(t, srv, nil, false)
	out := srv.Python(t, "testdata/boto3_esm.py", f.name, f.queueARN)
	require.Contains(t, out, "ok")
}

func TestEventSourceMappingPaginates(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)
	var want []string
	for i := 0; i < 3; i++ {
		q, err := f.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(f.name + "-" + strconv.Itoa(i))})
		require.NoError(t, err)
		a, err := f.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
		require.NoError(t, err)
		m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
			EventSourceArn: aws.String(a.Attributes["QueueArn"]), FunctionName: aws.String(f.name), Enabled: aws.Bool(false),
		})
		require.NoError(t, err)
		want = append(want, aws.ToString(m.UUID))
	}
	var got []string
	var marker *string
	for {
		page, err := f.lam.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(f.fnARN), MaxItems: aws.Int32(2), Marker: marker})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.EventSourceMappings), 2)
		for _, m := range page.EventSourceMappings {
			got = append(got, aws.ToString(m.UUID))
		}
		if page.NextMarker == nil {
			break
		}
		marker = page.NextMarker
	}
	sort.Strings(want)
	require.Equal(t, want, got)
}

func TestEventSourceMappingConsumesQueue(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)
	for i := 0; i < 5; i++ {
		f.send(t, "message-"+strconv.Itoa(i), func(in *sqs.SendMessageInput) {
			in.MessageAttributes = map[string]sqstypes.MessageAttributeValue{
				"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
				"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
			}
		})
	}
	m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = f.lam.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	})

	require.Eventually(t, func() bool { return len(f.records(t)) >= 5 }, 60*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return queueCount(t, f.sqs, f.queueURL) == 0 }, 30*time.Second, 100*time.Millisecond, "processed messages are deleted")
	bodies := f.bodies(t)
	sort.Strings(bodies)
	require.Equal(t, []string{"message-0", "message-1", "message-2", "message-3", "message-4"}, bodies)

	// The record has the shape AWS sends.
	r := f.records(t)[0]
	require.Equal(t, "aws:sqs", r["eventSource"])
	require.Equal(t, f.queueARN, r["eventSourceARN"])
	require.Equal(t, harness.DefaultIdentity.Region, r["awsRegion"])
	require.NotEmpty(t, r["messageId"])
	require.NotEmpty(t, r["receiptHandle"])
	require.Len(t, r["md5OfBody"], 32)
	require.Len(t, r["md5OfMessageAttributes"], 32, "a message with attributes carries their digest")
	attrs := r["attributes"].(map[string]any)
	for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
		require.Contains(t, attrs, k)
	}
	require.Equal(t, "1", attrs["ApproximateReceiveCount"])
	mattrs := r["messageAttributes"].(map[string]any)
	require.Equal(t, map[string]any{"stringValue": "blue", "stringListValues": []any{}, "binaryListValues": []any{}, "dataType": "String"}, mattrs["color"])
	require.Equal(t, map[string]any{"binaryValue": "AQID", "stringListValues": []any{}, "binaryListValues": []any{}, "dataType": "Binary"}, mattrs["blob"])

	got, err := f.lam.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
	require.NoError(t, err)
	require.Equal(t, "OK", aws.ToString(got.LastProcessingResult))
}

func TestEventSourceMappingPartialBatchFailure(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	dlq, err := srv.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(uniqueName(t) + "-dlq")})
	require.NoError(t, err)
	dlqAttrs, err := srv.SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	require.NoError(t, err)
	// Failed messages come back after a short visibility timeout, twice, then move to the
	// dead-letter queue.
	f := newESMFixture(t, srv, map[string]string{
		"VisibilityTimeout": "3",
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqAttrs.Attributes["QueueArn"] + `","maxReceiveCount":"2"}`,
	}, false)
	_, err = f.lam.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(f.name), Timeout: aws.Int32(3)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		c, err := f.lam.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(f.name)})
		return err == nil && c.LastUpdateStatus == types.LastUpdateStatusSuccessful
	}, 30*time.Second, 100*time.Millisecond)
	for _, b := range []string{"ok-1", "fail-1", "ok-2"} {
		f.send(t, b)
	}
	m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name),
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = f.lam.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	})

	require.Eventually(t, func() bool { return queueCount(t, srv.SQS(), aws.ToString(dlq.QueueUrl)) == 1 }, 60*time.Second, 200*time.Millisecond, "the failed message reaches the DLQ")
	require.Equal(t, 0, queueCount(t, f.sqs, f.queueURL))
	counts := map[string]int{}
	for _, b := range f.bodies(t) {
		counts[b]++
	}
	require.Equal(t, 1, counts["ok-1"], "successful messages are deleted: %v", counts)
	require.Equal(t, 1, counts["ok-2"], "successful messages are deleted: %v", counts)
	require.Equal(t, 2, counts["fail-1"], "the failed message comes back once: %v", counts)
	msgs, err := srv.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl})
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 1)
	require.Equal(t, "fail-1", aws.ToString(msgs.Messages[0].Body))
}

func TestEventSourceMappingFilters(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)
	f.send(t, `{"kind":"order","n":1}`)
	f.send(t, `{"kind":"refund","n":2}`)
	f.send(t, `plain text`)
	f.send(t, `{"kind":"order","n":3}`)
	m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name),
		FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":{"kind":["order"]}}`)}}},
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = f.lam.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	})

	// Filtered-out messages are deleted too.
	require.Eventually(t, func() bool { return queueCount(t, f.sqs, f.queueURL) == 0 }, 60*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool { return len(f.records(t)) == 2 }, 30*time.Second, 100*time.Millisecond)
	bodies := f.bodies(t)
	sort.Strings(bodies)
	require.Equal(t, []string{`{"kind":"order","n":1}`, `{"kind":"order","n":3}`}, bodies)
}

func TestEventSourceMappingFIFOOrder(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, map[string]string{"ContentBasedDeduplication": "true"}, true)
	const perGroup = 15
	for i := 0; i < perGroup; i++ {
		for _, g := range []string{"a", "b"} {
			f.send(t, g+"-"+strconv.Itoa(i), func(in *sqs.SendMessageInput) { in.MessageGroupId = aws.String(g) })
		}
	}
	m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name), BatchSize: aws.Int32(3),
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = f.lam.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	})
	require.Eventually(t, func() bool { return len(f.records(t)) >= 2*perGroup }, 60*time.Second, 100*time.Millisecond, "got %v", f.bodies(t))
	next := map[string]int{}
	for _, r := range f.records(t) {
		body := r["body"].(string)
		g, n, _ := strings.Cut(body, "-")
		require.Equal(t, strconv.Itoa(next[g]), n, "group %s out of order", g)
		next[g]++
		attrs := r["attributes"].(map[string]any)
		require.Equal(t, g, attrs["MessageGroupId"])
		require.NotEmpty(t, attrs["SequenceNumber"])
		require.NotEmpty(t, attrs["MessageDeduplicationId"])
	}
}

func TestEventSourceMappingDisableStops(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ctx := t.Context()
	f := newESMFixture(t, srv, nil, false)
	m, err := f.lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{EventSourceArn: aws.String(f.queueARN), FunctionName: aws.String(f.name)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = f.lam.DeleteEventSourceMapping(context.Background(), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	})
	f.send(t, "before")
	require.Eventually(t, func() bool { return len(f.records(t)) == 1 }, 60*time.Second, 100*time.Millisecond)

	upd, err := f.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)})
	require.NoError(t, err)
	require.Equal(t, "Disabling", aws.ToString(upd.State))
	// The poller has stopped when a message sent now stays in the queue: an SQS consumer
	// receives it (and gives it back).
	f.send(t, "while disabled")
	var handle *string
	require.Eventually(t, func() bool {
		out, err := f.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(f.queueURL), WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) != 1 {
			return false
		}
		handle = out.Messages[0].ReceiptHandle
		return true
	}, 30*time.Second, 100*time.Millisecond)
	_, err = f.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(f.queueURL), ReceiptHandle: handle, VisibilityTimeout: 0})
	require.NoError(t, err)
	require.Equal(t, []string{"before"}, f.bodies(t))

	_, err = f.lam.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(true)})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(f.records(t)) == 2 }, 60*time.Second, 100*time.Millisecond)
	require.Equal(t, []string{"before", "while disabled"}, f.bodies(t))
}
