package crash_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// crashHandler appends the id of every event it gets to $SINK: an Event invocation's
// {"id": ...} or the body of each SQS record. It takes a little time, so that work is
// still queued when the server is killed.
const crashHandler = `import os, time

def handler(event, context):
    ids = [r["body"] for r in event["Records"]] if "Records" in event else [event["id"]]
    time.sleep(0.05)
    fd = os.open(os.environ["SINK"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, "".join(i + "\n" for i in ids).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return {}
`

const (
	crashEvents   = 60
	crashMessages = 60
)

func lambdaClient(s *harness.Server) *lambda.Client {
	id := harness.DefaultIdentity
	return lambda.New(lambda.Options{
		Region: id.Region, BaseEndpoint: aws.String(s.Endpoint()), HTTPClient: s.HTTPClient(), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""),
	})
}

// sinkFile returns a file functions can append to: functions of a server running as root
// have a private /tmp, so it lives outside /tmp when it can.
func sinkFile(t *testing.T) string {
	t.Helper()
	base := "/var/tmp"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = ""
	}
	dir, err := os.MkdirTemp(base, "overcast-crash-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "ids")
}

// seen returns how often each id is in the sink.
func seen(t *testing.T, sink string) map[string]int {
	t.Helper()
	data, err := os.ReadFile(sink)
	if os.IsNotExist(err) {
		return map[string]int{}
	}
	require.NoError(t, err)
	out := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" {
			out[line]++
		}
	}
	return out
}

// runLambdaCrash queues Event invocations and SQS messages for an active event source
// mapping, kills the first node with SIGKILL while they are being worked off, restarts
// it, and checks that every acknowledged event reaches the function at least once.
func runLambdaCrash(t *testing.T, nodes []*harness.Server) {
	ctx := t.Context()
	sink := sinkFile(t)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, err := zw.Create("app.py")
	require.NoError(t, err)
	_, err = w.Write([]byte(crashHandler))
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	lam := lambdaClient(nodes[0])
	_, err = lam.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("crash-consumer"), Runtime: ltypes.RuntimePython312, Role: aws.String("arn:aws:iam::000000000000:role/r"),
		Handler: aws.String("app.handler"), Code: &ltypes.FunctionCode{ZipFile: zbuf.Bytes()}, Timeout: aws.Int32(3),
		Environment: &ltypes.Environment{Variables: map[string]string{"SINK": sink}},
	})
	require.NoError(t, err)
	q := nodes[0].SQS()
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("crash-esm"), Attributes: map[string]string{"VisibilityTimeout": "3"}})
	require.NoError(t, err)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []types.QueueAttributeName{"QueueArn"}})
	require.NoError(t, err)
	_, err = lam.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(attrs.Attributes["QueueArn"]), FunctionName: aws.String("crash-consumer"),
		BatchSize: aws.Int32(2), ScalingConfig: &ltypes.ScalingConfig{MaximumConcurrency: aws.Int32(2)},
	})
	require.NoError(t, err)

	// Every acknowledged send and invoke must reach the function; they alternate between
	// the nodes.
	var want []string
	for i := 0; i < max(crashEvents, crashMessages); i++ {
		node := nodes[i%len(nodes)]
		if i < crashMessages {
			id := "msg-" + strconv.Itoa(i)
			_, err := node.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queue.QueueUrl, MessageBody: aws.String(id)})
			require.NoError(t, err)
			want = append(want, id)
		}
		if i < crashEvents {
			id := "event-" + strconv.Itoa(i)
			out, err := lambdaClient(node).Invoke(ctx, &lambda.InvokeInput{
				FunctionName: aws.String("crash-consumer"), InvocationType: ltypes.InvocationTypeEvent,
				Payload: []byte(fmt.Sprintf(`{"id":%q}`, id)),
			})
			require.NoError(t, err)
			require.Equal(t, int32(202), out.StatusCode)
			want = append(want, id)
		}
	}
	// Kill once the work is under way and before it is done.
	require.Eventually(t, func() bool { return len(seen(t, sink)) >= 4 }, 60*time.Second, 10*time.Millisecond, "the function never ran")
	nodes[0].Kill(t)
	before := len(seen(t, sink))
	t.Logf("killed with %d of %d events delivered", before, len(want))
	nodes[0].Restart(t)

	require.Eventually(t, func() bool {
		got := seen(t, sink)
		for _, id := range want {
			if got[id] == 0 {
				return false
			}
		}
		return true
	}, 90*time.Second, 100*time.Millisecond, "every event is delivered at least once")
	got := seen(t, sink)
	dup := 0
	for _, id := range want {
		dup += got[id] - 1
	}
	t.Logf("%d events delivered, %d delivered more than once", len(want), dup)
	// Processed messages are deleted.
	require.Eventually(t, func() bool {
		a, err := nodes[0].SQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []types.QueueAttributeName{"All"}})
		return err == nil && a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	}, time.Minute, 100*time.Millisecond, "the queue is drained")
}

func TestCrashLambdaSQLite(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Args: []string{"--retry-scale", "0.01"}})
	runLambdaCrash(t, []*harness.Server{srv})
}

func TestCrashLambdaPostgresTwoNodes(t *testing.T) {
	t.Parallel()
	store := freshSchema(t, postgresURL(t))
	a := harness.Start(t, harness.Options{Store: store, Args: []string{"--retry-scale", "0.01"}})
	b := harness.Start(t, harness.Options{Store: store, Args: []string{"--retry-scale", "0.01"}})
	runLambdaCrash(t, []*harness.Server{a, b})
}
