package logs_test

import (
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
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "logs"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off. Tests
// on it use log group names of their own and never move the clock or reset state.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// virtualServer starts a server of the test's own with the virtual clock.
func virtualServer(t *testing.T) *harness.Server {
	t.Helper()
	return harness.Start(t, harness.Options{Clock: "virtual"})
}

// client returns an aws-sdk-go-v2 CloudWatch Logs client for srv, signing as the harness's
// default identity, making one attempt per call.
func client(srv *harness.Server) *cloudwatchlogs.Client {
	id := harness.DefaultIdentity
	return cloudwatchlogs.New(cloudwatchlogs.Options{
		Region:           id.Region,
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
		HTTPClient:       srv.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

// defaultAccount is the account of the "test" access key.
var defaultAccount = func() string {
	if a := os.Getenv("OVERCAST_TEST_ACCOUNT"); a != "" {
		return a
	}
	return "000000000000"
}()

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_/.#-]+`)

// uniqueName returns a log group name unique to this test run: /conformance/, the test's
// name and a random suffix.
func uniqueName(t *testing.T) string {
	t.Helper()
	base := nameCleaner.ReplaceAllString(strings.TrimPrefix(t.Name(), "Test"), "-")
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "/conformance/" + base + "-" + hex.EncodeToString(b[:])
}

// nowMs is the wall clock in unix milliseconds.
func nowMs() int64 { return time.Now().UnixMilli() }

// mustGroup creates a log group with a unique name and returns the name.
func mustGroup(t *testing.T, c *cloudwatchlogs.Client) string {
	t.Helper()
	name := uniqueName(t)
	_, err := c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name})
	require.NoError(t, err, "CreateLogGroup %s", name)
	return name
}

// mustStream creates a log stream.
func mustStream(t *testing.T, c *cloudwatchlogs.Client, group, stream string) {
	t.Helper()
	_, err := c.CreateLogStream(t.Context(), &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream})
	require.NoError(t, err, "CreateLogStream %s %s", group, stream)
}

// events builds input events from timestamp/message pairs.
func events(ts []int64, msgs ...string) []types.InputLogEvent {
	out := make([]types.InputLogEvent, len(msgs))
	for i, m := range msgs {
		out[i] = types.InputLogEvent{Timestamp: aws.Int64(ts[i]), Message: aws.String(m)}
	}
	return out
}

// mustPut puts events and returns the output.
func mustPut(t *testing.T, c *cloudwatchlogs.Client, group, stream string, evs []types.InputLogEvent) *cloudwatchlogs.PutLogEventsOutput {
	t.Helper()
	out, err := c.PutLogEvents(t.Context(), &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: evs})
	require.NoError(t, err, "PutLogEvents %s %s", group, stream)
	return out
}

func outputMessages(evs []types.OutputLogEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = aws.ToString(e.Message)
	}
	return out
}

func filteredMessages(evs []types.FilteredLogEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = aws.ToString(e.Message)
	}
	return out
}

// requireError checks that err is the modeled error E with code and HTTP 400 and, when
// msg is not empty, that exact message.
func requireError[E error](t *testing.T, err error, code, msg string, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	require.Error(t, err, "want %s: %s", code, what)
	var target E
	require.True(t, errors.As(err, &target), "want %T, got %T: %v (%s)", target, err, err, what)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "error code (message %q): %s", ae.ErrorMessage(), what)
	require.Equal(t, smithy.FaultClient, ae.ErrorFault(), what)
	if msg != "" {
		require.Equal(t, msg, ae.ErrorMessage(), what)
	}
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response in %v", err)
	require.Equal(t, 400, re.HTTPStatusCode(), "HTTP status of %s", code)
}

func requireNotFound(t *testing.T, err error, msg, format string, args ...any) {
	t.Helper()
	requireError[*types.ResourceNotFoundException](t, err, "ResourceNotFoundException", msg, format, args...)
}

func requireInvalidParameter(t *testing.T, err error, msg, format string, args ...any) {
	t.Helper()
	requireError[*types.InvalidParameterException](t, err, "InvalidParameterException", msg, format, args...)
}

// Messages AWS answers with, as clients have recorded them.
const (
	msgGroupNotFound  = "The specified log group does not exist."
	msgStreamNotFound = "The specified log stream does not exist."
	msgGroupExists    = "The specified log group already exists"
	msgStreamExists   = "The specified log stream already exists"
)
