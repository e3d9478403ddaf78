package sns

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// recordingLogs is a LogEmitter that keeps what it is sent, by log group.
type recordingLogs struct {
	mu     sync.Mutex
	groups map[string][]string
}

func (r *recordingLogs) EmitLogs(_ context.Context, account, region, group, stream string, _ time.Time, messages []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.groups == nil {
		r.groups = map[string][]string{}
	}
	r.groups[group] = append(r.groups[group], messages...)
	return nil
}

func (r *recordingLogs) get(group string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.groups[group]...)
}

// refusingQueues fails every send to one queue.
type refusingQueues struct {
	*recordingQueues
	refuse string
}

func (r refusingQueues) SendToQueue(ctx context.Context, arn string, m *QueueMessage) error {
	if arn == r.refuse {
		return NewNotFoundException("The specified queue does not exist.")
	}
	return r.recordingQueues.SendToQueue(ctx, arn, m)
}

func TestDeliveryStatusLogs(t *testing.T) {
	t.Parallel()
	logs := &recordingLogs{}
	bad := queueARN("gone")
	b := setupStore(t, store.Options{Ephemeral: true}, func(d *Deps) {
		d.Logs = logs
		d.Queues = refusingQueues{d.Queues.(*recordingQueues), bad}
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("no tea"))
	}))
	t.Cleanup(srv.Close)

	topic := b.MustTopic(t, "logged", map[string]string{
		"SQSSuccessFeedbackRoleArn":    "arn:aws:iam::" + testAccount + ":role/ok",
		"SQSSuccessFeedbackSampleRate": "100",
		"SQSFailureFeedbackRoleArn":    "arn:aws:iam::" + testAccount + ":role/fail",
		"HTTPFailureFeedbackRoleArn":   "arn:aws:iam::" + testAccount + ":role/fail",
	})
	good := queueARN("good")
	b.MustSubscribe(t, topic, "sqs", good, nil)
	b.MustSubscribe(t, topic, "sqs", bad, nil)
	httpSub := b.MustSubscribe(t, topic, "http", srv.URL, nil)
	// Confirm the HTTP subscription directly: its confirmation is not what is tested.
	sub, err := b.db.SNSSubscriptionGet(b.ctx, httpSub)
	require.NoError(t, err)
	sub.Confirmed = true
	require.NoError(t, b.db.SNSSubscriptionUpdate(b.ctx, sub))
	b.svc.cache.invalidate(topic)

	out, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &topic, Message: new("hello")})
	require.NoError(t, err)

	okGroup := "sns/" + testRegion + "/" + testAccount + "/logged"
	require.Eventually(t, func() bool { return len(logs.get(okGroup)) == 1 }, 5*time.Second, 5*time.Millisecond)
	rec := decodeJSON(t, logs.get(okGroup)[0])
	require.Equal(t, "SUCCESS", rec["status"])
	n := rec["notification"].(map[string]any)
	require.Equal(t, *out.MessageID, n["messageId"])
	require.Equal(t, topic, n["topicArn"])
	require.Equal(t, "5d41402abc4b2a76b9719d911017c592", n["messageMD5Sum"])
	require.Equal(t, "2026-03-01 12:00:00.000", n["timestamp"])
	d := rec["delivery"].(map[string]any)
	require.Equal(t, good, d["destination"])
	require.EqualValues(t, 200, d["statusCode"])
	require.EqualValues(t, 1, d["attempts"])
	require.NotEmpty(t, d["deliveryId"])

	failGroup := okGroup + "/Failure"
	// Each failed attempt is logged: wait for a record of each failing destination (the
	// missing queue is retried at once and may log several first).
	byDest := map[string]map[string]any{}
	require.Eventually(t, func() bool {
		for _, l := range logs.get(failGroup) {
			var rec map[string]any
			if json.Unmarshal([]byte(l), &rec) != nil || rec["status"] != "FAILURE" {
				continue
			}
			d := rec["delivery"].(map[string]any)
			byDest[d["destination"].(string)] = d
		}
		return byDest[bad] != nil && byDest[srv.URL] != nil
	}, 5*time.Second, 5*time.Millisecond)
	require.Contains(t, byDest, bad)
	require.EqualValues(t, 404, byDest[bad]["statusCode"])
	require.Contains(t, byDest, srv.URL)
	require.EqualValues(t, http.StatusTeapot, byDest[srv.URL]["statusCode"])
	require.Equal(t, "no tea", byDest[srv.URL]["providerResponse"])
}

func TestDeliveryStatusLogSampleRate(t *testing.T) {
	t.Parallel()
	logs := &recordingLogs{}
	b := setupStore(t, store.Options{Ephemeral: true}, func(d *Deps) { d.Logs = logs })
	topic := b.MustTopic(t, "sampled", map[string]string{
		"SQSSuccessFeedbackRoleArn":    "arn:aws:iam::" + testAccount + ":role/ok",
		"SQSSuccessFeedbackSampleRate": "0",
	})
	q := queueARN("sampled")
	b.MustSubscribe(t, topic, "sqs", q, nil)
	unlogged := b.MustTopic(t, "unlogged", nil)
	b.MustSubscribe(t, unlogged, "sqs", q, nil)
	for _, tp := range []string{topic, unlogged} {
		_, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &tp, Message: new("m")})
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return len(b.queues.get(q)) == 2 }, 5*time.Second, 5*time.Millisecond)
	// The log is written before the job completes: once no job is left, every log is in.
	require.Eventually(t, func() bool {
		jobs, err := b.svc.dispatch.List(b.ctx, kindSQS)
		return err == nil && len(jobs) == 0
	}, 5*time.Second, 5*time.Millisecond)
	logs.mu.Lock()
	defer logs.mu.Unlock()
	require.Empty(t, logs.groups, "a sample rate of 0 logs no success; a topic without roles logs nothing")

	_, err := b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &topic, AttributeName: new("SQSSuccessFeedbackSampleRate"), AttributeValue: new("101")})
	requireCode(t, err, "InvalidParameter")
}
