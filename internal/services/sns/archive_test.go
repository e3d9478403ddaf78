package sns

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

// setupHeld is setup with a dispatcher that delivers nothing until start is called, so
// that what is queued can be looked at first.
func setupHeld(t *testing.T, deps ...func(*Deps)) (b *testBundle, start func()) {
	t.Helper()
	var held *delivery.Dispatcher
	b = setupStore(t, store.Options{Ephemeral: true}, append(deps, func(d *Deps) {
		held = delivery.New(delivery.Config{Store: d.Store, Clock: d.Clock, RandFunc: func() float64 { return 0 }})
		d.Dispatcher = held
	})...)
	t.Cleanup(held.Stop)
	return b, func() { require.NoError(t, held.Start(t.Context())) }
}

func (b *testBundle) MustPublishFIFO(t *testing.T, topic, group, body string, attrs map[string]*MessageAttributeValue) *PublishOutput {
	t.Helper()
	out, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: &topic, Message: &body, MessageGroupID: &group, MessageAttributes: attrs})
	require.NoError(t, err)
	return out
}

func (b *testBundle) subAttrs(t *testing.T, sub string) map[string]string {
	t.Helper()
	out, err := b.svc.GetSubscriptionAttributes(b.ctx, &GetSubscriptionAttributesInput{SubscriptionARN: &sub})
	require.NoError(t, err)
	return out.Attributes
}

func (b *testBundle) topicAttrs(t *testing.T, topic string) map[string]string {
	t.Helper()
	out, err := b.svc.GetTopicAttributes(b.ctx, &GetTopicAttributesInput{TopicARN: &topic})
	require.NoError(t, err)
	return out.Attributes
}

func TestArchiveAndReplay(t *testing.T) {
	t.Parallel()
	b, start := setupHeld(t)
	t0 := b.clock.Now()
	topic := b.MustTopic(t, "orders.fifo", map[string]string{
		"FifoTopic": "true", "ContentBasedDeduplication": "true", "ArchivePolicy": `{"MessageRetentionPeriod":"2"}`,
	})
	ta := b.topicAttrs(t, topic)
	require.JSONEq(t, `{"MessageRetentionPeriod":"2"}`, ta["ArchivePolicy"])
	require.Equal(t, "2026-03-01T12:00:00.000Z", ta["BeginningArchiveTime"])

	type sent struct{ id, seq, group, body string }
	var published []sent
	for _, p := range []struct{ group, body, kind string }{
		{"g1", "one", "keep"}, {"g2", "two", "keep"}, {"g1", "three", "drop"}, {"g1", "four", "keep"}, {"g2", "five", "keep"},
	} {
		b.clock.Advance(time.Minute)
		out := b.MustPublishFIFO(t, topic, p.group, p.body, map[string]*MessageAttributeValue{"kind": strAttr(p.kind)})
		if p.kind == "keep" {
			published = append(published, sent{*out.MessageID, *out.SequenceNumber, p.group, p.body})
		}
	}
	// A message deduplicated away is not archived twice.
	b.MustPublishFIFO(t, topic, "g1", "one", nil)

	b.clock.Advance(time.Minute)
	q := queueARN("replay.fifo")
	sub := b.MustSubscribe(t, topic, "sqs", q, map[string]string{
		"FilterPolicy": `{"kind":["keep"]}`,
		"ReplayPolicy": `{"PointType":"Timestamp","StartingPoint":"` + t0.Format(time.RFC3339) + `"}`,
	})
	sa := b.subAttrs(t, sub)
	require.Equal(t, "Pending", sa["ReplayStatus"])
	require.NotContains(t, sa, hiddenReplayID)

	start()
	require.Eventually(t, func() bool { return len(b.queues.get(q)) == len(published) }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return b.subAttrs(t, sub)["ReplayStatus"] == "Completed" }, 5*time.Second, 5*time.Millisecond)

	got := b.queues.get(q)
	perGroup := map[string][]string{}
	for _, m := range got {
		env := decodeJSON(t, m.Body)
		require.Equal(t, true, env["Replayed"], "replayed messages say so")
		perGroup[m.GroupID] = append(perGroup[m.GroupID], env["Message"].(string))
		var want *sent
		for i := range published {
			if published[i].id == env["MessageId"] {
				want = &published[i]
			}
		}
		require.NotNil(t, want, "a replayed message keeps its MessageId")
		require.Equal(t, want.seq, env["SequenceNumber"])
		require.Equal(t, want.body, env["Message"])
	}
	require.Equal(t, []string{"one", "four"}, perGroup["g1"], "order per group is kept; the filter policy applies")
	require.Equal(t, []string{"two", "five"}, perGroup["g2"])

	// New messages follow the replay, without Replayed.
	b.MustPublishFIFO(t, topic, "g1", "six", map[string]*MessageAttributeValue{"kind": strAttr("keep")})
	require.Eventually(t, func() bool { return len(b.queues.get(q)) == len(published)+1 }, 5*time.Second, 5*time.Millisecond)
	last := decodeJSON(t, b.queues.get(q)[len(published)].Body)
	require.Equal(t, "six", last["Message"])
	require.NotContains(t, last, "Replayed")

	// A window: only the messages published between the two points.
	q2 := queueARN("window.fifo")
	sub2 := b.MustSubscribe(t, topic, "sqs", q2, nil)
	_, err := b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{
		SubscriptionARN: &sub2, AttributeName: new("ReplayPolicy"),
		AttributeValue: new(`{"PointType":"Timestamp","StartingPoint":"` + t0.Add(90*time.Second).Format(time.RFC3339) +
			`","EndingPoint":"` + t0.Add(210*time.Second).Format(time.RFC3339) + `"}`),
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return b.subAttrs(t, sub2)["ReplayStatus"] == "Completed" }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return len(b.queues.get(q2)) == 2 }, 5*time.Second, 5*time.Millisecond)
	var bodies []string
	for _, m := range b.queues.get(q2) {
		bodies = append(bodies, decodeJSON(t, m.Body)["Message"].(string))
	}
	require.ElementsMatch(t, []string{"two", "three"}, bodies)

	// Removing the policy forgets the replay.
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{
		SubscriptionARN: &sub2, AttributeName: new("ReplayPolicy"), AttributeValue: new(""),
	})
	require.NoError(t, err)
	require.NotContains(t, b.subAttrs(t, sub2), "ReplayStatus")
}

func TestArchiveExpiresAndStops(t *testing.T) {
	t.Parallel()
	b := setup(t)
	t0 := b.clock.Now()
	topic := b.MustTopic(t, "expire.fifo", map[string]string{
		"FifoTopic": "true", "ContentBasedDeduplication": "true", "ArchivePolicy": `{"MessageRetentionPeriod":"1"}`,
	})
	b.MustPublishFIFO(t, topic, "g", "old", nil)
	list := func() []*store.SNSArchivedMessage {
		rows, err := b.db.SNSArchiveList(b.ctx, &store.SNSArchiveListParams{TopicARN: topic, To: 1 << 62, Limit: 10})
		require.NoError(t, err)
		return rows
	}
	require.Len(t, list(), 1)

	b.clock.Advance(25 * time.Hour)
	require.Equal(t, "2026-03-01T13:00:00.000Z", b.topicAttrs(t, topic)["BeginningArchiveTime"],
		"the archive begins one retention period ago")
	require.Eventually(t, func() bool {
		// The sweep runs every minute of the virtual clock.
		b.clock.Advance(time.Minute)
		return len(list()) == 0
	}, 5*time.Second, 5*time.Millisecond, "expired messages are purged")

	// A replay from before the archive's beginning finds nothing.
	q := queueARN("late.fifo")
	sub := b.MustSubscribe(t, topic, "sqs", q, map[string]string{
		"ReplayPolicy": `{"PointType":"Timestamp","StartingPoint":"` + t0.Format(time.RFC3339) + `"}`,
	})
	require.Eventually(t, func() bool { return b.subAttrs(t, sub)["ReplayStatus"] == "Completed" }, 5*time.Second, 5*time.Millisecond)
	require.Empty(t, b.queues.get(q))

	// Turning archiving off keeps new messages out of the archive.
	_, err := b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &topic, AttributeName: new("ArchivePolicy"), AttributeValue: new("{}")})
	require.NoError(t, err)
	require.NotContains(t, b.topicAttrs(t, topic), "BeginningArchiveTime")
	b.MustPublishFIFO(t, topic, "g", "new", nil)
	require.Empty(t, list())

	// Deleting the topic deletes its archive.
	_, err = b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &topic, AttributeName: new("ArchivePolicy"), AttributeValue: new(`{"MessageRetentionPeriod":"3"}`)})
	require.NoError(t, err)
	b.MustPublishFIFO(t, topic, "g", "newer", nil)
	require.Len(t, list(), 1)
	_, err = b.svc.DeleteTopic(b.ctx, &DeleteTopicInput{TopicARN: &topic})
	require.NoError(t, err)
	require.Empty(t, list())
}

func TestArchiveAndReplayValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fifo := b.MustTopic(t, "v.fifo", map[string]string{"FifoTopic": "true", "ArchivePolicy": `{"MessageRetentionPeriod":"30"}`})
	plainFIFO := b.MustTopic(t, "plain.fifo", map[string]string{"FifoTopic": "true"})
	std := b.MustTopic(t, "std", nil)

	for _, tt := range []struct {
		name, topic, value string
	}{
		{"standard topic", std, `{"MessageRetentionPeriod":"30"}`},
		{"zero days", fifo, `{"MessageRetentionPeriod":"0"}`},
		{"too many days", fifo, `{"MessageRetentionPeriod":"366"}`},
		{"not a number", fifo, `{"MessageRetentionPeriod":"ten"}`},
		{"not JSON", fifo, `{`},
	} {
		t.Run("ArchivePolicy "+tt.name, func(t *testing.T) {
			_, err := b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &tt.topic, AttributeName: new("ArchivePolicy"), AttributeValue: &tt.value})
			requireCode(t, err, "InvalidParameter")
		})
	}
	require.JSONEq(t, `{"MessageRetentionPeriod":"30"}`, b.topicAttrs(t, fifo)["ArchivePolicy"], "failed calls change nothing")

	now := b.clock.Now()
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for _, tt := range []struct {
		name, topic, value string
	}{
		{"standard topic", std, `{"PointType":"Timestamp","StartingPoint":"` + ts(-time.Hour) + `"}`},
		{"no archive policy", plainFIFO, `{"PointType":"Timestamp","StartingPoint":"` + ts(-time.Hour) + `"}`},
		{"not JSON", fifo, `nope`},
		{"bad point type", fifo, `{"PointType":"Sequence","StartingPoint":"` + ts(-time.Hour) + `"}`},
		{"no starting point", fifo, `{"PointType":"Timestamp"}`},
		{"bad starting point", fifo, `{"PointType":"Timestamp","StartingPoint":"yesterday"}`},
		{"future starting point", fifo, `{"PointType":"Timestamp","StartingPoint":"` + ts(time.Hour) + `"}`},
		{"ending before starting", fifo, `{"PointType":"Timestamp","StartingPoint":"` + ts(-time.Hour) + `","EndingPoint":"` + ts(-2*time.Hour) + `"}`},
	} {
		t.Run("ReplayPolicy "+tt.name, func(t *testing.T) {
			_, err := b.svc.Subscribe(b.ctx, &SubscribeInput{TopicARN: &tt.topic, Protocol: new("sqs"), Endpoint: new(queueARN("v-" + tt.name)),
				Attributes: map[string]string{"ReplayPolicy": tt.value}})
			requireCode(t, err, "InvalidParameter")
			subs, err := b.svc.ListSubscriptionsByTopic(b.ctx, &ListSubscriptionsByTopicInput{TopicARN: &tt.topic})
			require.NoError(t, err)
			require.Empty(t, subs.Subscriptions, "a refused Subscribe creates nothing")
		})
	}

	sub := b.MustSubscribe(t, fifo, "sqs", queueARN("v-set.fifo"), nil)
	_, err := b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub, AttributeName: new("ReplayPolicy"), AttributeValue: new(`{"PointType":"Timestamp"}`)})
	requireCode(t, err, "InvalidParameter")
	_, err = b.svc.SetSubscriptionAttributes(b.ctx, &SetSubscriptionAttributesInput{SubscriptionARN: &sub, AttributeName: new("ReplayStatus"), AttributeValue: new("Completed")})
	requireCode(t, err, "InvalidParameter")
	require.NotContains(t, b.subAttrs(t, sub), "ReplayStatus")
	_, err = b.svc.SetTopicAttributes(b.ctx, &SetTopicAttributesInput{TopicARN: &fifo, AttributeName: new("BeginningArchiveTime"), AttributeValue: new("2020-01-01T00:00:00Z")})
	requireCode(t, err, "InvalidParameter")
}

// TestArchivedMessageJSON pins the archive's JSON: stored rows outlive releases.
func TestArchivedMessageJSON(t *testing.T) {
	t.Parallel()
	var a archivedMessage
	require.NoError(t, json.Unmarshal([]byte(`{"id":"i","body":"b","per":{"sqs":"s"},"attrs":{"k":{"t":"String","s":"v"}},"group":"g","dedup":"d","ts":"2026-03-01T12:00:00.000Z"}`), &a))
	require.Equal(t, "s", (&message{perProto: a.PerProto}).bodyFor("sqs"))
	require.Equal(t, "v", a.Attrs["k"].String)
}
