package crash_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

const (
	fanoutPublishers = 6
	// fanoutQueues is the number of queues subscribed to the topic, and of SQS targets of
	// the rule.
	fanoutQueues = 3
	account      = "000000000000"
)

// fanoutLedger records the ids whose Publish or PutEvents entry the server acknowledged.
type fanoutLedger struct {
	mu    sync.Mutex
	acked map[string]bool
	n     atomic.Int64
}

func (l *fanoutLedger) ack(ids ...string) {
	l.mu.Lock()
	for _, id := range ids {
		l.acked[id] = true
	}
	l.mu.Unlock()
	l.n.Add(int64(len(ids)))
}

func snsClient(srv *harness.Server) *sns.Client {
	id := harness.DefaultIdentity
	return sns.New(sns.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""), RetryMaxAttempts: 1})
}

func ebClient(srv *harness.Server) *eventbridge.Client {
	id := harness.DefaultIdentity
	return eventbridge.New(eventbridge.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), HTTPClient: srv.HTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, ""), RetryMaxAttempts: 1})
}

// onServer points a QueueUrl at srv's current address: a restarted server listens on a
// new port, and the path names the queue.
func onServer(t *testing.T, srv *harness.Server, qurl string) string {
	u, err := url.Parse(qurl)
	require.NoError(t, err)
	return srv.Endpoint() + u.Path
}

// TestCrashFanOut kills the server with SIGKILL while publishers keep an SNS topic with
// several SQS subscriptions and an EventBridge rule with several SQS targets busy, restarts
// it on the same data directory, and checks that every acknowledged Publish reached every
// subscribed queue, and every acknowledged event every target queue, at least once.
func TestCrashFanOut(t *testing.T) {
	t.Parallel()
	runFanOutCrash(t, harness.Start(t, harness.Options{}), 90*time.Second)
}

func TestCrashFanOutPostgres(t *testing.T) {
	t.Parallel()
	// On PostgreSQL the restarted node is a new node: the deliveries the killed one had in
	// flight are released once its heartbeat is older than the dead-node threshold (15 s),
	// not when their leases expire.
	runFanOutCrash(t, harness.Start(t, harness.Options{Store: freshSchema(t, postgresURL(t))}), 90*time.Second)
}

// runFanOutCrash runs the fan-out workload on srv, kills and restarts it, and waits up to
// drain for every acknowledged message to reach every queue.
func runFanOutCrash(t *testing.T, srv *harness.Server, drain time.Duration) {
	sq, topics, eb := srv.SQS(), snsClient(srv), ebClient(srv)

	topic, err := topics.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("crash-fanout")})
	require.NoError(t, err)
	_, err = eb.PutRule(t.Context(), &eventbridge.PutRuleInput{Name: aws.String("crash-fanout"),
		EventPattern: aws.String(`{"source":["crash.fanout"]}`)})
	require.NoError(t, err)
	var snsQueues, ebQueues []string
	for i := range fanoutQueues {
		for _, kind := range []string{"sns", "eb"} {
			name := fmt.Sprintf("crash-fanout-%s-%d", kind, i)
			out, err := sq.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
			require.NoError(t, err)
			arn := fmt.Sprintf("arn:aws:sqs:us-east-1:%s:%s", account, name)
			if kind == "sns" {
				snsQueues = append(snsQueues, aws.ToString(out.QueueUrl))
				// One subscription gets SNS's JSON envelope, the others the raw message.
				_, err = topics.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
					Endpoint: aws.String(arn), Attributes: map[string]string{"RawMessageDelivery": fmt.Sprint(i > 0)}})
				require.NoError(t, err)
				continue
			}
			ebQueues = append(ebQueues, aws.ToString(out.QueueUrl))
			target := ebtypes.Target{Id: aws.String(fmt.Sprintf("q%d", i)), Arn: aws.String(arn)}
			if i > 0 {
				target.InputPath = aws.String("$.detail")
			}
			pt, err := eb.PutTargets(t.Context(), &eventbridge.PutTargetsInput{Rule: aws.String("crash-fanout"), Targets: []ebtypes.Target{target}})
			require.NoError(t, err)
			require.Zero(t, pt.FailedEntryCount)
		}
	}

	snsLedger := &fanoutLedger{acked: map[string]bool{}}
	ebLedger := &fanoutLedger{acked: map[string]bool{}}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for p := range fanoutPublishers {
		wg.Go(func() { publishSNS(ctx, topics, aws.ToString(topic.TopicArn), p, snsLedger) })
		wg.Go(func() { putEvents(ctx, eb, p, ebLedger) })
	}
	deadline := time.Now().Add(60 * time.Second)
	for (snsLedger.n.Load() < 400 || ebLedger.n.Load() < 400) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.Positive(t, snsLedger.n.Load(), "no Publish was acknowledged before the kill:\n%s", srv.Log())
	require.Positive(t, ebLedger.n.Load(), "no PutEvents entry was acknowledged before the kill:\n%s", srv.Log())
	srv.Kill(t)
	cancel()
	wg.Wait()
	t.Logf("killed the server after %d acknowledged publishes and %d acknowledged events", snsLedger.n.Load(), ebLedger.n.Load())

	srv.Restart(t)
	sq = srv.SQS()
	drainEnd := time.Now().Add(drain)
	for i, q := range snsQueues {
		requireAllDelivered(t, sq, onServer(t, srv, q), snsLedger, drainEnd, func(body string) string {
			if i > 0 {
				return body
			}
			var env struct{ Type, Message string }
			require.NoError(t, json.Unmarshal([]byte(body), &env), body)
			require.Equal(t, "Notification", env.Type)
			return env.Message
		})
	}
	for i, q := range ebQueues {
		requireAllDelivered(t, sq, onServer(t, srv, q), ebLedger, drainEnd, func(body string) string {
			var detail struct {
				ID string `json:"id"`
			}
			if i == 0 {
				var ev struct {
					Detail json.RawMessage `json:"detail"`
				}
				require.NoError(t, json.Unmarshal([]byte(body), &ev), body)
				body = string(ev.Detail)
			}
			require.NoError(t, json.Unmarshal([]byte(body), &detail), body)
			return detail.ID
		})
	}
}

func publishSNS(ctx context.Context, c *sns.Client, topicARN string, p int, l *fanoutLedger) {
	for n := 0; ctx.Err() == nil; n++ {
		if n%2 == 0 {
			var entries []snstypes.PublishBatchRequestEntry
			ids := map[string]string{}
			for k := range 5 {
				id := fmt.Sprintf("sns|p%d|%d-%d", p, n, k)
				eid := fmt.Sprintf("e%d", k)
				ids[eid] = id
				entries = append(entries, snstypes.PublishBatchRequestEntry{Id: aws.String(eid), Message: aws.String(id)})
			}
			out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topicARN), PublishBatchRequestEntries: entries})
			if err != nil {
				pause(ctx)
				continue
			}
			for _, s := range out.Successful {
				l.ack(ids[aws.ToString(s.Id)])
			}
			continue
		}
		id := fmt.Sprintf("sns|p%d|%d", p, n)
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String(id)}); err != nil {
			pause(ctx)
			continue
		}
		l.ack(id)
	}
}

func putEvents(ctx context.Context, c *eventbridge.Client, p int, l *fanoutLedger) {
	for n := 0; ctx.Err() == nil; n++ {
		var entries []ebtypes.PutEventsRequestEntry
		var ids []string
		for k := range 1 + n%4 {
			id := fmt.Sprintf("eb|p%d|%d-%d", p, n, k)
			ids = append(ids, id)
			entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String("crash.fanout"), DetailType: aws.String("Tick"),
				Detail: aws.String(fmt.Sprintf(`{"id":%q}`, id))})
		}
		out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			pause(ctx)
			continue
		}
		for i, e := range out.Entries {
			if e.ErrorCode == nil {
				l.ack(ids[i])
			}
		}
	}
}

// requireAllDelivered drains queue until every id the ledger acknowledged has been seen
// (id extracts it from a message body), until deadline at most, and fails naming the ids
// that never arrived.
func requireAllDelivered(t *testing.T, c *sqs.Client, queue string, l *fanoutLedger, deadline time.Time, id func(body string) string) {
	t.Helper()
	l.mu.Lock()
	missing := make(map[string]bool, len(l.acked))
	for k := range l.acked {
		missing[k] = true
	}
	l.mu.Unlock()
	for len(missing) > 0 && time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		require.NoError(t, err)
		for _, m := range out.Messages {
			delete(missing, id(aws.ToString(m.Body)))
			_, err := c.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queue), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	if len(missing) > 0 {
		lost := make([]string, 0, len(missing))
		for k := range missing {
			lost = append(lost, k)
		}
		sort.Strings(lost)
		t.Fatalf("%s: %d of %d acknowledged messages never arrived, e.g. %s", queue, len(lost), len(l.acked),
			strings.Join(lost[:min(5, len(lost))], ", "))
	}
}
