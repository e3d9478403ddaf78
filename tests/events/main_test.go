package events_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "events"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock. Tests on
// it use names of their own and never move the clock.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// virtualServer starts a server of the test's own with the virtual clock.
func virtualServer(t *testing.T) *harness.Server {
	t.Helper()
	return harness.Start(t, harness.Options{Clock: "virtual", Ephemeral: true})
}

// clients are the SDK clients of one server.
type clients struct {
	eb  *eventbridge.Client
	sch *scheduler.Client
	sqs *sqs.Client
}

func clientsOf(srv *harness.Server) clients {
	id := harness.DefaultIdentity
	creds := credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, "")
	return clients{
		eb: eventbridge.New(eventbridge.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1}),
		sch: scheduler.New(scheduler.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: srv.HTTPClient(), RetryMaxAttempts: 1}),
		sqs: srv.SQS(),
	}
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a name unique to this test run, at most 60 characters.
func uniqueName(t *testing.T, tag string) string {
	t.Helper()
	base := strings.TrimPrefix(nameCleaner.ReplaceAllString(t.Name(), "-"), "Test")
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := "-" + tag + "-" + hex.EncodeToString(b[:])
	if m := 60 - len(suffix); len(base) > m {
		base = base[:m]
	}
	return base + suffix
}

// defaultAccount is the account of the "test" access key.
var defaultAccount = func() string {
	if a := os.Getenv("OVERCAST_TEST_ACCOUNT"); a != "" {
		return a
	}
	return "000000000000"
}()

// newQueue creates a queue and returns its URL and ARN.
func newQueue(t *testing.T, c clients, tag string) (string, string) {
	t.Helper()
	name := uniqueName(t, tag)
	out, err := c.sqs.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl), fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s", defaultAccount, name)
}

// receiveN long-polls until n messages arrived (for up to 15 s of real time) and deletes
// them.
func receiveN(t *testing.T, c clients, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(15 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := c.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			// Deleted at once: a test that moves the virtual clock would see it again.
			_, err := c.sqs.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		got = append(got, out.Messages...)
	}
	require.Len(t, got, n, "messages received from %s", url)
	return got
}

// requireEmpty checks that a short poll finds nothing.
func requireEmpty(t *testing.T, c clients, url, why string) {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	require.NoError(t, err)
	require.Empty(t, out.Messages, why)
}

// requireCode checks that err is an API error with the given code.
func requireCode(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	require.Error(t, err, "want %s", code)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want API error %s, got %T: %v", code, err, err)
	require.Equal(t, code, ae.ErrorCode(), "message: %s", ae.ErrorMessage())
	return ae
}

func ctx(t *testing.T) context.Context { return t.Context() }
