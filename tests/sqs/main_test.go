package sqs_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "sqs"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off. Tests
// on it use queue names of their own and never move the clock or reset state.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// virtualServer starts a server of the test's own with the virtual clock.
func virtualServer(t *testing.T) *harness.Server {
	t.Helper()
	return harness.Start(t, harness.Options{Clock: "virtual"})
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a queue name unique to this test run: the test's name, cut to fit,
// and a random suffix. SQS names are at most 80 characters (75 before ".fifo").
func uniqueName(t *testing.T, tag string) string {
	t.Helper()
	base := nameCleaner.ReplaceAllString(t.Name(), "-")
	base = strings.TrimPrefix(base, "Test")
	if tag != "" {
		tag = "-" + tag
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := tag + "-" + hex.EncodeToString(b[:])
	if max := 70 - len(suffix); len(base) > max {
		base = base[:max]
	}
	return base + suffix
}

func ctx(t *testing.T) context.Context { return t.Context() }

// createQueue creates a queue and returns its URL.
func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(ctx(t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err, "CreateQueue %s %v", name, attrs)
	require.NotEmpty(t, aws.ToString(out.QueueUrl), "CreateQueue %s returned no QueueUrl", name)
	return aws.ToString(out.QueueUrl)
}

// newQueue creates a queue with a unique name and returns its URL.
func newQueue(t *testing.T, c *sqs.Client, attrs map[string]string) string {
	t.Helper()
	return createQueue(t, c, uniqueName(t, ""), attrs)
}

// newFIFOQueue creates a FIFO queue with a unique name and returns its URL.
func newFIFOQueue(t *testing.T, c *sqs.Client, attrs map[string]string) string {
	t.Helper()
	a := map[string]string{"FifoQueue": "true"}
	for k, v := range attrs {
		a[k] = v
	}
	return createQueue(t, c, uniqueName(t, "")+".fifo", a)
}

func queueAttrs(t *testing.T, c *sqs.Client, queueURL string, names ...types.QueueAttributeName) map[string]string {
	t.Helper()
	if len(names) == 0 {
		names = []types.QueueAttributeName{types.QueueAttributeNameAll}
	}
	out, err := c.GetQueueAttributes(ctx(t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL), AttributeNames: names})
	require.NoError(t, err, "GetQueueAttributes %s %v", queueURL, names)
	return out.Attributes
}

func queueArn(t *testing.T, c *sqs.Client, queueURL string) string {
	t.Helper()
	arn := queueAttrs(t, c, queueURL, types.QueueAttributeNameQueueArn)["QueueArn"]
	require.NotEmpty(t, arn, "QueueArn of %s", queueURL)
	return arn
}

func send(t *testing.T, c *sqs.Client, queueURL, body string) *sqs.SendMessageOutput {
	t.Helper()
	out, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)})
	require.NoError(t, err, "SendMessage to %s", queueURL)
	require.NotEmpty(t, aws.ToString(out.MessageId))
	require.Equal(t, md5Hex(body), aws.ToString(out.MD5OfMessageBody), "MD5OfMessageBody")
	return out
}

// receive makes one short-poll ReceiveMessage call (WaitTimeSeconds 0) for up to max
// messages with all system attributes.
func receive(t *testing.T, c *sqs.Client, queueURL string, max int32) []types.Message {
	t.Helper()
	out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(queueURL),
		MaxNumberOfMessages:         max,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	})
	require.NoError(t, err, "ReceiveMessage from %s", queueURL)
	for _, m := range out.Messages {
		require.Equal(t, md5Hex(aws.ToString(m.Body)), aws.ToString(m.MD5OfBody), "MD5OfBody of %s", aws.ToString(m.MessageId))
	}
	return out.Messages
}

// receiveN receives until n messages have arrived (short polls, retried for up to 10s of
// real time): SQS standard queues may answer a short poll from a subset of their
// servers, so one call is not guaranteed to return every visible message.
func receiveN(t *testing.T, c *sqs.Client, queueURL string, n int) []types.Message {
	t.Helper()
	var got []types.Message
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		got = append(got, receive(t, c, queueURL, 10)...)
	}
	require.Len(t, got, n, "messages received from %s", queueURL)
	return got
}

// requireEmpty checks that a short poll returns nothing.
func requireEmpty(t *testing.T, c *sqs.Client, queueURL, why string) {
	t.Helper()
	msgs := receive(t, c, queueURL, 10)
	require.Empty(t, msgs, "no message expected: %s", why)
}

func deleteMsg(t *testing.T, c *sqs.Client, queueURL string, m types.Message) {
	t.Helper()
	_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle})
	require.NoError(t, err, "DeleteMessage %s", aws.ToString(m.MessageId))
}

func bodies(msgs []types.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = aws.ToString(m.Body)
	}
	return out
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes computes MD5OfMessageAttributes as the SQS Developer Guide describes
// it: attributes sorted by name, each encoded as length-prefixed name, length-prefixed
// data type, a transport byte (1 string/number, 2 binary) and the length-prefixed value.
func md5OfAttributes(attrs map[string]types.MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	putBytes := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, n := range names {
		v := attrs[n]
		putBytes([]byte(n))
		putBytes([]byte(aws.ToString(v.DataType)))
		if v.BinaryValue != nil {
			h.Write([]byte{2})
			putBytes(v.BinaryValue)
		} else {
			h.Write([]byte{1})
			putBytes([]byte(aws.ToString(v.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// md5OfSystemAttributes is md5OfAttributes for MessageSystemAttributes.
func md5OfSystemAttributes(attrs map[string]types.MessageSystemAttributeValue) string {
	conv := make(map[string]types.MessageAttributeValue, len(attrs))
	for k, v := range attrs {
		conv[k] = types.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
	}
	return md5OfAttributes(conv)
}

// requireCode checks that err is an API error with the given code (as clients read it:
// the x-amzn-query-error code where SQS sends one) and HTTP status.
func requireCode(t *testing.T, err error, code string, status int, format string, args ...any) smithy.APIError {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	require.Error(t, err, "want error %s: %s", code, what)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want API error %s, got %T: %v (%s)", code, err, err, what)
	require.Equal(t, code, ae.ErrorCode(), "error code (message %q): %s", ae.ErrorMessage(), what)
	require.Equal(t, smithy.FaultClient, ae.ErrorFault(), "fault of %s should be the sender's (x-amzn-query-error: %s;Sender)", code, code)
	if status != 0 {
		var re *awshttp.ResponseError
		require.True(t, errors.As(err, &re), "no HTTP response in %v", err)
		require.Equal(t, status, re.HTTPStatusCode(), "HTTP status of %s", code)
	}
	return ae
}

// requireModeled checks that err is the modeled SQS error E (the JSON __type), with
// the awsQuery-compatible code and HTTP status the SQS model gives it.
func requireModeled[E error](t *testing.T, err error, code string, status int, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	require.Error(t, err, "want error %s: %s", code, what)
	var target E
	require.True(t, errors.As(err, &target), "want %T, got %T: %v (%s)", target, err, err, what)
	requireCode(t, err, code, status, "%s", what)
}

// Modeled SQS errors: query-compatible code and HTTP status, from the SQS Smithy model's
// awsQueryError and httpError traits.
func requireQueueDoesNotExist(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	requireModeled[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue", 400, format, args...)
}

func requireInvalidParameterValue(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	requireCode(t, err, "InvalidParameterValue", 400, format, args...)
}

func requireInvalidAttributeValue(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	requireModeled[*types.InvalidAttributeValue](t, err, "InvalidAttributeValue", 400, format, args...)
}

func requireInvalidAttributeName(t *testing.T, err error, format string, args ...any) {
	t.Helper()
	requireModeled[*types.InvalidAttributeName](t, err, "InvalidAttributeName", 400, format, args...)
}

// sign signs req with SigV4 for SQS in the identity's region, as the SDKs do.
func sign(t *testing.T, req *http.Request, payload []byte, id harness.Identity) {
	t.Helper()
	if id.Region == "" {
		id.Region = "us-east-1"
	}
	sum := sha256.Sum256(payload)
	creds := aws.Credentials{AccessKeyID: id.AccessKey, SecretAccessKey: id.Secret}
	err := v4.NewSigner().SignHTTP(ctx(t), creds, req, hex.EncodeToString(sum[:]), "sqs", id.Region, time.Now())
	require.NoError(t, err, "sign request")
}

// rawJSON sends one signed awsJson1.0 request to the server as DefaultIdentity and
// returns the status, headers and decoded body.
func rawJSON(t *testing.T, srv *harness.Server, op string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	return rawJSONTo(t, srv.HTTPClient(), srv.Endpoint()+"/", "", op, body)
}

func rawJSONTo(t *testing.T, client *http.Client, target, host, op string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, target, strings.NewReader(string(b)))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	sign(t, req, []byte(b), harness.DefaultIdentity)
	resp, err := client.Do(req)
	require.NoError(t, err, "%s %s", op, target)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := map[string]any{}
	if len(strings.TrimSpace(string(raw))) > 0 {
		require.NoError(t, json.Unmarshal(raw, &out), "%s answered non-JSON (%d): %s", op, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, out
}

// rawQuery sends one awsQuery form POST to target (a URL), signed as DefaultIdentity as
// query clients sign them, and returns the status and body.
func rawQuery(t *testing.T, client *http.Client, target, host string, form url.Values) (int, []byte) {
	t.Helper()
	return rawQueryAs(t, client, target, host, form, harness.DefaultIdentity)
}

func rawQueryAs(t *testing.T, client *http.Client, target, host string, form url.Values, id harness.Identity) (int, []byte) {
	t.Helper()
	payload := form.Encode()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, target, strings.NewReader(payload))
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sign(t, req, []byte(payload), id)
	resp, err := client.Do(req)
	require.NoError(t, err, "%s %s", form.Get("Action"), target)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// waitFor polls cond in the test's own goroutine (so cond may use require) until it
// returns true, and fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", timeout, fmt.Sprintf(format, args...))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// defaultAccount is the account of the "test" access key: Overcast's default account, or
// OVERCAST_TEST_ACCOUNT when the suite runs against another endpoint.
var defaultAccount = func() string {
	if a := os.Getenv("OVERCAST_TEST_ACCOUNT"); a != "" {
		return a
	}
	return "000000000000"
}()
