package storetest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// sqsCases returns the conformance cases of the SQS store methods.
func sqsCases() []Case {
	return []Case{
		{"SQSQueueLifecycle", testSQSQueueLifecycle},
		{"SQSQueueList", testSQSQueueList},
		{"SQSSendReceiveDelete", testSQSSendReceiveDelete},
		{"SQSSendMany", testSQSSendMany},
		{"SQSVisibility", testSQSVisibility},
		{"SQSVisibilityAnyToken", testSQSVisibilityAnyToken},
		{"SQSDeleteFIFOExpiredHandle", testSQSDeleteFIFOExpiredHandle},
		{"SQSDelayAndExpiry", testSQSDelayAndExpiry},
		{"SQSFIFOOrderAndGroups", testSQSFIFOOrderAndGroups},
		{"SQSFIFOConcurrentReceivers", testSQSFIFOConcurrentReceivers},
		{"SQSFIFODedup", testSQSFIFODedup},
		{"SQSReceiveAttempt", testSQSReceiveAttempt},
		{"SQSDeadLetter", testSQSDeadLetter},
		{"SQSInflightLimit", testSQSInflightLimit},
		{"SQSPurge", testSQSPurge},
		{"SQSMoveTask", testSQSMoveTask},
		{"SQSSweep", testSQSSweep},
		{"SQSConcurrentReceiversNoDoubleDelivery", testSQSConcurrentReceivers},
		{"SQSTwoNodesNoDoubleDelivery", testSQSTwoNodes},
	}
}

// sqsT0 is the time the SQS cases start at (unix milliseconds).
const sqsT0 = int64(1_772_366_400_000)

// MustSQSQueue creates a queue and fails the test on error.
func MustSQSQueue(tb testing.TB, db *store.DB, name string, fifo bool) *store.SQSQueue {
	tb.Helper()
	q, created, err := db.SQSQueueCreate(context.Background(), &store.SQSQueueCreateParams{
		Account: "123456789012", Region: "us-east-1", Name: name, FIFO: fifo,
		Attrs: "{}", Tags: "{}", RetentionMs: 345_600_000, Now: sqsT0, DeletedCooldownMs: 60_000,
	})
	require.NoError(tb, err)
	require.True(tb, created)
	return q
}

// MustSQSSend sends bodies (to group on FIFO queues, deduplicated by body) at now.
func MustSQSSend(tb testing.TB, db *store.DB, q *store.SQSQueue, now int64, group string, bodies ...string) []store.SQSSent {
	tb.Helper()
	p := &store.SQSSendParams{QueueID: q.ID, Now: now}
	if q.FIFO {
		p.DedupIntervalMs = 300_000
	}
	for _, b := range bodies {
		m := store.SQSNewMessage{MessageID: "id-" + b, Body: b, VisibleAt: now, GroupID: group}
		if q.FIFO {
			m.DedupID = b
		}
		p.Messages = append(p.Messages, m)
	}
	sent, err := db.SQSMessageSend(context.Background(), p)
	require.NoError(tb, err)
	return sent
}

// sqsReceive receives up to max messages at now with a 30 s visibility timeout.
func sqsReceive(tb testing.TB, db *store.DB, q *store.SQSQueue, now int64, max int, mod ...func(*store.SQSReceiveParams)) *store.SQSReceiveResult {
	tb.Helper()
	p := &store.SQSReceiveParams{
		QueueID: q.ID, FIFO: q.FIFO, Now: now, Max: max, VisibleAt: now + 30_000,
		Token: now + 1, ExpireBefore: now - q.RetentionMs,
	}
	for _, m := range mod {
		m(p)
	}
	res, err := db.SQSMessageReceive(context.Background(), p)
	require.NoError(tb, err)
	return res
}

func sqsBodies(msgs []*store.SQSMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

func sqsHandles(msgs []*store.SQSMessage) []store.SQSHandle {
	out := make([]store.SQSHandle, len(msgs))
	for i, m := range msgs {
		out[i] = store.SQSHandle{ID: m.ID, Token: m.Token}
	}
	return out
}

func testSQSQueueLifecycle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "orders", false)

	// Creating the same name again answers the existing queue.
	again, created, err := db.SQSQueueCreate(ctx, &store.SQSQueueCreateParams{
		Account: q.Account, Region: q.Region, Name: q.Name, Attrs: `{"other":1}`, Tags: "{}", Now: sqsT0 + 5,
	})
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, q.ID, again.ID)
	require.Equal(t, "{}", again.Attrs)

	got, err := db.SQSQueueGet(ctx, q.Account, q.Region, q.Name)
	require.NoError(t, err)
	require.Equal(t, q, got)
	_, err = db.SQSQueueGet(ctx, q.Account, "eu-west-1", q.Name)
	require.ErrorIs(t, err, store.ErrNotFound, "queues are per region")

	mod, err := db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error {
		r.Attrs, r.Tags, r.DLQARN, r.RetentionMs, r.ModifiedAt = `{"a":1}`, `{"t":"v"}`, "arn:dlq", 60_000, sqsT0+10
		return nil
	})
	require.NoError(t, err)
	got, err = db.SQSQueueGet(ctx, q.Account, q.Region, q.Name)
	require.NoError(t, err)
	require.Equal(t, mod, got)
	require.Equal(t, `{"t":"v"}`, got.Tags)

	errAbort := errors.New("abort")
	_, err = db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error { r.Attrs = "lost"; return errAbort })
	require.ErrorIs(t, err, errAbort)
	got, err = db.SQSQueueGet(ctx, q.Account, q.Region, q.Name)
	require.NoError(t, err)
	require.Equal(t, `{"a":1}`, got.Attrs, "an aborted modification leaves the queue alone")

	MustSQSSend(t, db, q, sqsT0, "", "m1")
	require.NoError(t, db.SQSQueueDelete(ctx, q.ID, sqsT0+100))
	require.ErrorIs(t, db.SQSQueueDelete(ctx, q.ID, sqsT0+100), store.ErrNotFound)
	_, err = db.SQSQueueGet(ctx, q.Account, q.Region, q.Name)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = db.SQSQueueModify(ctx, q.ID, func(*store.SQSQueue) error { return nil })
	require.ErrorIs(t, err, store.ErrNotFound)

	// The name is blocked during the cooldown, then free again under a new id.
	p := &store.SQSQueueCreateParams{Account: q.Account, Region: q.Region, Name: q.Name, Attrs: "{}", Tags: "{}", Now: sqsT0 + 30_000, DeletedCooldownMs: 60_000}
	_, _, err = db.SQSQueueCreate(ctx, p)
	require.ErrorIs(t, err, store.ErrPreconditionFailed)
	p.Now = sqsT0 + 61_000
	re, created, err := db.SQSQueueCreate(ctx, p)
	require.NoError(t, err)
	require.True(t, created)
	require.Greater(t, re.ID, q.ID, "a recreated queue never reuses an id")
	counts, err := db.SQSQueueCount(ctx, re.ID, p.Now, 0)
	require.NoError(t, err)
	require.Equal(t, store.SQSQueueCounts{}, counts, "messages of the deleted queue are gone")
}

func testSQSQueueList(t *testing.T, db *store.DB) {
	ctx := t.Context()
	for _, n := range []string{"b-2", "a-1", "b-1", "B-3", "c_1"} {
		MustSQSQueue(t, db, n, false)
	}
	other, _, err := db.SQSQueueCreate(ctx, &store.SQSQueueCreateParams{Account: "210987654321", Region: "us-east-1", Name: "b-9", Attrs: "{}", Tags: "{}", Now: sqsT0})
	require.NoError(t, err)
	names := func(p *store.SQSQueueListParams) []string {
		p.Account, p.Region = "123456789012", "us-east-1"
		if p.Limit == 0 {
			p.Limit = 100
		}
		qs, err := db.SQSQueueList(ctx, p)
		require.NoError(t, err)
		var out []string
		for _, q := range qs {
			out = append(out, q.Name)
		}
		return out
	}
	require.Equal(t, []string{"B-3", "a-1", "b-1", "b-2", "c_1"}, names(&store.SQSQueueListParams{}))
	require.Equal(t, []string{"b-1", "b-2"}, names(&store.SQSQueueListParams{Prefix: "b-"}), "prefixes are case-sensitive")
	require.Equal(t, []string{"B-3", "a-1"}, names(&store.SQSQueueListParams{Limit: 2}))
	require.Equal(t, []string{"b-1", "b-2"}, names(&store.SQSQueueListParams{After: "a-1", Limit: 2}))
	require.Empty(t, names(&store.SQSQueueListParams{Prefix: "c%"}), "LIKE wildcards are plain characters")

	_, err = db.SQSQueueModify(ctx, other.ID, func(r *store.SQSQueue) error { r.DLQARN = "arn:x"; return nil })
	require.NoError(t, err)
	a1, err := db.SQSQueueGet(ctx, "123456789012", "us-east-1", "a-1")
	require.NoError(t, err)
	_, err = db.SQSQueueModify(ctx, a1.ID, func(r *store.SQSQueue) error { r.DLQARN = "arn:x"; return nil })
	require.NoError(t, err)
	require.Equal(t, []string{"a-1"}, names(&store.SQSQueueListParams{DLQARN: "arn:x"}), "dead-letter sources of the account only")
}

func testSQSSendReceiveDelete(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	MustSQSSend(t, db, q, sqsT0, "", "a", "b", "c")

	res := sqsReceive(t, db, q, sqsT0+1, 2)
	require.Equal(t, []string{"a", "b"}, sqsBodies(res.Messages))
	for _, m := range res.Messages {
		require.Equal(t, int64(1), m.ReceiveCount)
		require.Equal(t, sqsT0+1, m.FirstReceiveAt)
		require.Equal(t, sqsT0, m.SentAt)
		require.Equal(t, sqsT0+1+30_000, m.VisibleAt)
		require.Equal(t, sqsT0+2, m.Token)
	}
	res2 := sqsReceive(t, db, q, sqsT0+2, 10)
	require.Equal(t, []string{"c"}, sqsBodies(res2.Messages), "in-flight messages are not received again")

	counts, err := db.SQSQueueCount(ctx, q.ID, sqsT0+3, 0)
	require.NoError(t, err)
	require.Equal(t, store.SQSQueueCounts{NotVisible: 3}, counts)

	n, err := db.SQSMessageDelete(ctx, q.ID, sqsHandles(res.Messages), false)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	n, err = db.SQSMessageDelete(ctx, q.ID, sqsHandles(res.Messages), false)
	require.NoError(t, err)
	require.Zero(t, n, "deleting twice is harmless")

	// A stale token deletes only when anyToken allows it.
	stale := store.SQSHandle{ID: res2.Messages[0].ID, Token: 999}
	n, err = db.SQSMessageDelete(ctx, q.ID, []store.SQSHandle{stale}, false)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = db.SQSMessageDelete(ctx, q.ID+1000, []store.SQSHandle{stale}, true)
	require.NoError(t, err)
	require.Zero(t, n, "a handle deletes only in its own queue")
	n, err = db.SQSMessageDelete(ctx, q.ID, []store.SQSHandle{stale}, true)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)

	empty := sqsReceive(t, db, q, sqsT0+4, 10)
	require.Empty(t, empty.Messages)
	require.Zero(t, empty.NextVisibleAt)
}

func testSQSSendMany(t *testing.T, db *store.DB) {
	ctx := t.Context()
	a, b := MustSQSQueue(t, db, "a", false), MustSQSQueue(t, db, "b", false)
	ch, stop := db.Notifier().Listen(store.SQSWakeChannel(b.ID))
	defer stop()
	var sends []*store.SQSSendParams
	for i := range 150 {
		q := a
		if i%3 == 0 {
			q = b
		}
		sends = append(sends, &store.SQSSendParams{QueueID: q.ID, Now: sqsT0, Messages: []store.SQSNewMessage{{MessageID: fmt.Sprint(i), Body: fmt.Sprint(i), VisibleAt: sqsT0}}})
	}
	require.NoError(t, db.SQSMessageSendMany(ctx, sends))
	ca, err := db.SQSQueueCount(ctx, a.ID, sqsT0, 0)
	require.NoError(t, err)
	cb, err := db.SQSQueueCount(ctx, b.ID, sqsT0, 0)
	require.NoError(t, err)
	require.Equal(t, int64(100), ca.Visible)
	require.Equal(t, int64(50), cb.Visible)
	receive(t, ch)
	require.Error(t, db.SQSMessageSendMany(ctx, []*store.SQSSendParams{{QueueID: a.ID, DedupIntervalMs: 1}}))
}

func testSQSVisibility(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	MustSQSSend(t, db, q, sqsT0, "", "a")
	res := sqsReceive(t, db, q, sqsT0, 1)
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]

	none := sqsReceive(t, db, q, sqsT0+29_999, 1)
	require.Empty(t, none.Messages)
	require.Equal(t, sqsT0+30_000, none.NextVisibleAt, "a long poll learns when to look again")

	h := store.SQSHandle{ID: m.ID, Token: m.Token}
	out, err := db.SQSMessageChangeVisibility(ctx, q.ID, sqsT0+10, 43_200_000, []store.SQSVisibility{
		{Handle: h, VisibleAt: sqsT0 + 100_000},
		{Handle: store.SQSHandle{ID: m.ID, Token: 7}, VisibleAt: sqsT0},
		{Handle: store.SQSHandle{ID: m.ID + 99, Token: m.Token}, VisibleAt: sqsT0},
		{Handle: h, VisibleAt: sqsT0 + 43_200_001},
	})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSVisibilityChanged, store.SQSVisibilityNotInFlight, store.SQSVisibilityNotInFlight, store.SQSVisibilityTooLong}, out)
	require.Empty(t, sqsReceive(t, db, q, sqsT0+99_999, 1).Messages)

	// Visibility 0 makes it visible at once and wakes listeners.
	ch, stop := db.Notifier().Listen(store.SQSWakeChannel(q.ID))
	defer stop()
	out, err = db.SQSMessageChangeVisibility(ctx, q.ID, sqsT0+20, 43_200_000, []store.SQSVisibility{{Handle: h, VisibleAt: sqsT0 + 20}})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSVisibilityChanged}, out)
	receive(t, ch)
	again := sqsReceive(t, db, q, sqsT0+21, 1)
	require.Len(t, again.Messages, 1)
	require.Equal(t, int64(2), again.Messages[0].ReceiveCount)
	require.Equal(t, sqsT0, again.Messages[0].FirstReceiveAt)

	// Once visible again, the message is no longer in flight for its old handle.
	out, err = db.SQSMessageChangeVisibility(ctx, q.ID, sqsT0+100_000, 43_200_000, []store.SQSVisibility{{Handle: h, VisibleAt: sqsT0 + 200_000}})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSVisibilityNotInFlight}, out)
}

func testSQSDelayAndExpiry(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	_, err := db.SQSMessageSend(ctx, &store.SQSSendParams{QueueID: q.ID, Now: sqsT0, Messages: []store.SQSNewMessage{
		{MessageID: "1", Body: "late", VisibleAt: sqsT0 + 5_000},
		{MessageID: "2", Body: "now", VisibleAt: sqsT0},
	}})
	require.NoError(t, err)
	counts, err := db.SQSQueueCount(ctx, q.ID, sqsT0, 0)
	require.NoError(t, err)
	require.Equal(t, store.SQSQueueCounts{Visible: 1, Delayed: 1}, counts)
	require.Equal(t, []string{"now"}, sqsBodies(sqsReceive(t, db, q, sqsT0, 10).Messages))
	require.Equal(t, []string{"late"}, sqsBodies(sqsReceive(t, db, q, sqsT0+5_000, 10).Messages))

	// Messages past retention are never received, and are deleted on the way.
	MustSQSSend(t, db, q, sqsT0+10_000, "", "old")
	res := sqsReceive(t, db, q, sqsT0+20_000, 10, func(p *store.SQSReceiveParams) { p.ExpireBefore = sqsT0 + 10_000 })
	require.Empty(t, res.Messages)
	counts, err = db.SQSQueueCount(ctx, q.ID, sqsT0+20_000, 0)
	require.NoError(t, err)
	require.Equal(t, store.SQSQueueCounts{NotVisible: 2}, counts, "the expired message was deleted")
}

func testSQSFIFOOrderAndGroups(t *testing.T, db *store.DB) {
	q := MustSQSQueue(t, db, "q.fifo", true)
	sent := MustSQSSend(t, db, q, sqsT0, "g1", "a1", "a2", "a3")
	require.Less(t, sent[0].Seq, sent[1].Seq)
	require.Less(t, sent[1].Seq, sent[2].Seq)
	MustSQSSend(t, db, q, sqsT0, "g2", "b1", "b2")

	first := sqsReceive(t, db, q, sqsT0, 2)
	require.Equal(t, []string{"a1", "a2"}, sqsBodies(first.Messages))
	// g1 has messages in flight: only g2 is served.
	second := sqsReceive(t, db, q, sqsT0, 10)
	require.Equal(t, []string{"b1", "b2"}, sqsBodies(second.Messages))
	require.Empty(t, sqsReceive(t, db, q, sqsT0, 10).Messages)

	// Deleting one in-flight message of g1 leaves the group blocked by the other.
	_, err := db.SQSMessageDelete(t.Context(), q.ID, sqsHandles(first.Messages[:1]), false)
	require.NoError(t, err)
	require.Empty(t, sqsReceive(t, db, q, sqsT0+1, 10).Messages)
	_, err = db.SQSMessageDelete(t.Context(), q.ID, sqsHandles(first.Messages[1:]), false)
	require.NoError(t, err)
	require.Equal(t, []string{"a3"}, sqsBodies(sqsReceive(t, db, q, sqsT0+1, 10).Messages))

	// When g2's visibility times out its messages come back in order, ahead of nothing else.
	require.Equal(t, []string{"b1", "b2"}, sqsBodies(sqsReceive(t, db, q, sqsT0+30_000, 10).Messages))
}

func testSQSFIFOConcurrentReceivers(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q.fifo", true)
	const groups, perGroup = 4, 15
	for g := range groups {
		var bodies []string
		for i := range perGroup {
			bodies = append(bodies, fmt.Sprintf("g%d-%02d", g, i))
		}
		MustSQSSend(t, db, q, sqsT0, fmt.Sprintf("g%d", g), bodies...)
	}
	// Receivers race; each processes what it got and deletes it. A receive may hand out a
	// group's messages only when every earlier message of the group has been released
	// (its delete started), and each group is processed in order.
	var (
		mu          sync.Mutex
		outstanding = map[string]int{}
		order       = map[string][]string{}
		failures    []string
		wg          sync.WaitGroup
		token       int64
	)
	fail := func(msg string) {
		mu.Lock()
		failures = append(failures, msg)
		mu.Unlock()
	}
	for w := range 6 {
		wg.Go(func() {
			for range 400 {
				mu.Lock()
				token++
				tok := token
				done := 0
				for _, got := range order {
					done += len(got)
				}
				mu.Unlock()
				if done == groups*perGroup {
					return
				}
				res, err := db.SQSMessageReceive(ctx, &store.SQSReceiveParams{
					QueueID: q.ID, FIFO: true, Now: sqsT0, Max: 3, VisibleAt: sqsT0 + 60_000, Token: tok,
				})
				if err != nil {
					fail(err.Error())
					return
				}
				mu.Lock()
				for _, m := range res.Messages {
					if outstanding[m.GroupID] > 0 {
						failures = append(failures, fmt.Sprintf("worker %d got %s while an earlier message of its group is in flight", w, m.Body))
					}
				}
				for _, m := range res.Messages {
					outstanding[m.GroupID]++
					order[m.GroupID] = append(order[m.GroupID], m.Body)
				}
				mu.Unlock()
				// Let the other receivers run while this one "processes" its messages.
				runtime.Gosched()
				// Released before the delete commits: until then the store still holds the
				// group, so no other receive may get it.
				mu.Lock()
				for _, m := range res.Messages {
					outstanding[m.GroupID]--
				}
				mu.Unlock()
				if len(res.Messages) == 0 {
					continue
				}
				if _, err := db.SQSMessageDelete(ctx, q.ID, sqsHandles(res.Messages), false); err != nil {
					fail(err.Error())
					return
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, failures)
	for g := range groups {
		var want []string
		for i := range perGroup {
			want = append(want, fmt.Sprintf("g%d-%02d", g, i))
		}
		require.Equal(t, want, order[fmt.Sprintf("g%d", g)])
	}
}

func testSQSFIFODedup(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q.fifo", true)
	send := func(now int64, group, scope, dedup, id string) store.SQSSent {
		sent, err := db.SQSMessageSend(ctx, &store.SQSSendParams{QueueID: q.ID, Now: now, DedupIntervalMs: 300_000, Messages: []store.SQSNewMessage{
			{MessageID: id, Body: id, VisibleAt: now, GroupID: group, DedupID: dedup, DedupScope: scope},
		}})
		require.NoError(t, err)
		return sent[0]
	}
	first := send(sqsT0, "g", "", "d1", "m1")
	require.False(t, first.Duplicate)
	dup := send(sqsT0+299_999, "g", "", "d1", "m2")
	require.True(t, dup.Duplicate)
	require.Equal(t, "m1", dup.MessageID)
	require.Equal(t, first.Seq, dup.Seq)

	// Per-group scope: the same id in another group is a new message.
	require.False(t, send(sqsT0, "g", "g", "d2", "m3").Duplicate)
	require.False(t, send(sqsT0, "h", "h", "d2", "m4").Duplicate)
	require.True(t, send(sqsT0, "h", "h", "d2", "m5").Duplicate)

	// After the interval the id is fresh again, even though m1 was never deleted.
	later := send(sqsT0+300_000, "g", "", "d1", "m6")
	require.False(t, later.Duplicate)
	require.Greater(t, later.Seq, first.Seq)
	counts, err := db.SQSQueueCount(ctx, q.ID, sqsT0+300_000, 0)
	require.NoError(t, err)
	require.Equal(t, int64(4), counts.Visible)
}

func testSQSReceiveAttempt(t *testing.T, db *store.DB) {
	q := MustSQSQueue(t, db, "q.fifo", true)
	MustSQSSend(t, db, q, sqsT0, "g", "a", "b")
	withAttempt := func(id string) func(*store.SQSReceiveParams) {
		return func(p *store.SQSReceiveParams) { p.AttemptID, p.AttemptTTLMs = id, 300_000 }
	}
	first := sqsReceive(t, db, q, sqsT0, 1, withAttempt("try-1"))
	require.Equal(t, []string{"a"}, sqsBodies(first.Messages))
	retry := sqsReceive(t, db, q, sqsT0+1_000, 1, withAttempt("try-1"))
	require.Equal(t, []string{"a"}, sqsBodies(retry.Messages))
	require.Equal(t, first.Messages[0].Token, retry.Messages[0].Token, "a retried attempt answers the same receipt")
	require.Equal(t, int64(1), retry.Messages[0].ReceiveCount)
	require.Equal(t, sqsT0+1_000+30_000, retry.Messages[0].VisibleAt, "and restarts its visibility timeout")
	require.Empty(t, sqsReceive(t, db, q, sqsT0+1_000, 1, withAttempt("try-2")).Messages, "another attempt is a new receive")
}

func testSQSDeadLetter(t *testing.T, db *store.DB) {
	ctx := t.Context()
	src := MustSQSQueue(t, db, "src", false)
	dlq := MustSQSQueue(t, db, "dlq", false)
	MustSQSSend(t, db, src, sqsT0, "", "poison")
	redrive := func(p *store.SQSReceiveParams) {
		p.Redrive = &store.SQSRedrive{QueueID: dlq.ID, MaxReceiveCount: 2, SourceARN: "arn:aws:sqs:us-east-1:123456789012:src"}
	}
	now := sqsT0
	for i := range 2 {
		res := sqsReceive(t, db, src, now, 1, redrive)
		require.Equal(t, []string{"poison"}, sqsBodies(res.Messages), "receive %d", i+1)
		now += 30_000
	}
	MustSQSSend(t, db, src, now, "", "fine")
	ch, stop := db.Notifier().Listen(store.SQSWakeChannel(dlq.ID))
	defer stop()
	res := sqsReceive(t, db, src, now, 1, redrive)
	require.Equal(t, 1, res.Moved)
	require.Equal(t, []string{"fine"}, sqsBodies(res.Messages), "the receive goes on past the moved message")
	receive(t, ch)

	moved := sqsReceive(t, db, dlq, now, 10)
	require.Len(t, moved.Messages, 1)
	m := moved.Messages[0]
	require.Equal(t, "poison", m.Body)
	require.Equal(t, "id-poison", m.MessageID)
	require.Equal(t, sqsT0, m.SentAt, "SentTimestamp is kept")
	require.Equal(t, sqsT0, m.EnqueuedAt, "standard queues keep the enqueue time")
	require.Equal(t, int64(1), m.ReceiveCount)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:src", m.DLQSourceARN)

	// A FIFO dead-letter queue restarts retention.
	fsrc, fdlq := MustSQSQueue(t, db, "s.fifo", true), MustSQSQueue(t, db, "d.fifo", true)
	MustSQSSend(t, db, fsrc, sqsT0, "g", "x")
	fred := func(p *store.SQSReceiveParams) {
		p.Redrive = &store.SQSRedrive{QueueID: fdlq.ID, MaxReceiveCount: 1, SourceARN: "arn:src", ResetEnqueued: true}
	}
	require.Len(t, sqsReceive(t, db, fsrc, sqsT0, 1, fred).Messages, 1)
	r2 := sqsReceive(t, db, fsrc, sqsT0+30_000, 1, fred)
	require.Empty(t, r2.Messages)
	require.Equal(t, 1, r2.Moved)
	fm := sqsReceive(t, db, fdlq, sqsT0+30_000, 1).Messages
	require.Len(t, fm, 1)
	require.Equal(t, sqsT0+30_000, fm[0].EnqueuedAt)
	require.Equal(t, sqsT0, fm[0].SentAt)
	require.Equal(t, "g", fm[0].GroupID)
	_ = ctx
}

func testSQSInflightLimit(t *testing.T, db *store.DB) {
	q := MustSQSQueue(t, db, "q", false)
	MustSQSSend(t, db, q, sqsT0, "", "a", "b", "c")
	limit := func(p *store.SQSReceiveParams) { p.InflightLimit = 2 }
	require.Len(t, sqsReceive(t, db, q, sqsT0, 2, limit).Messages, 2)
	res := sqsReceive(t, db, q, sqsT0, 1, limit)
	require.True(t, res.OverLimit)
	require.Empty(t, res.Messages)
}

func testSQSPurge(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	MustSQSSend(t, db, q, sqsT0, "", "a", "b")
	require.NoError(t, db.SQSQueuePurge(ctx, q.ID, sqsT0, 60_000))
	require.ErrorIs(t, db.SQSQueuePurge(ctx, q.ID, sqsT0+59_999, 60_000), store.ErrPreconditionFailed)
	require.NoError(t, db.SQSQueuePurge(ctx, q.ID, sqsT0+60_000, 60_000))
	require.Empty(t, sqsReceive(t, db, q, sqsT0+60_000, 10).Messages)
	require.ErrorIs(t, db.SQSQueuePurge(ctx, q.ID+100, sqsT0, 60_000), store.ErrNotFound)
}

func testSQSMoveTask(t *testing.T, db *store.DB) {
	ctx := t.Context()
	src := MustSQSQueue(t, db, "src", false)
	dlq := MustSQSQueue(t, db, "dlq", false)
	other := MustSQSQueue(t, db, "other", false)
	// Three messages in the dead-letter queue, as redrive left them.
	MustSQSSend(t, db, src, sqsT0, "", "a", "b", "c")
	for i := range 2 {
		sqsReceive(t, db, src, sqsT0+int64(i)*30_000, 3, func(p *store.SQSReceiveParams) {
			p.Redrive = &store.SQSRedrive{QueueID: dlq.ID, MaxReceiveCount: 1, SourceARN: "arn:src"}
		})
	}
	counts, err := db.SQSQueueCount(ctx, dlq.ID, sqsT0+30_000, 0)
	require.NoError(t, err)
	require.Equal(t, int64(3), counts.Visible)

	task, err := db.SQSMoveTaskStart(ctx, &store.SQSMoveTask{Handle: "h1", SourceQueueID: dlq.ID, SourceARN: "arn:dlq", MaxPerSecond: 2, StartedAt: sqsT0 + 40_000})
	require.NoError(t, err)
	require.Equal(t, store.SQSTaskRunning, task.Status)
	require.Equal(t, int64(3), task.ToMove)
	_, err = db.SQSMoveTaskStart(ctx, &store.SQSMoveTask{Handle: "h2", SourceQueueID: dlq.ID, SourceARN: "arn:dlq", StartedAt: sqsT0 + 40_000})
	require.ErrorIs(t, err, store.ErrConflict, "one running task per source")

	// A message arriving after the start is not part of the task.
	MustSQSSend(t, db, dlq, sqsT0+41_000, "", "late")
	resolve := func(arn string) store.SQSMoveDest {
		if arn == "arn:src" {
			return store.SQSMoveDest{QueueID: src.ID, OK: true}
		}
		return store.SQSMoveDest{}
	}
	step := func(now int64, limit int) *store.SQSMoveTask {
		t.Helper()
		out, err := db.SQSMoveTaskStep(ctx, &store.SQSMoveStepParams{TaskID: task.ID, Now: now, Limit: limit, Resolve: resolve})
		require.NoError(t, err)
		return out
	}
	s1 := step(sqsT0+42_000, 2)
	require.Equal(t, int64(2), s1.Moved)
	require.Equal(t, store.SQSTaskRunning, s1.Status)
	s2 := step(sqsT0+43_000, 2)
	require.Equal(t, int64(3), s2.Moved)
	require.Equal(t, store.SQSTaskCompleted, s2.Status)

	back := sqsReceive(t, db, src, sqsT0+43_000, 10)
	require.ElementsMatch(t, []string{"a", "b", "c"}, sqsBodies(back.Messages))
	for _, m := range back.Messages {
		require.Equal(t, int64(1), m.ReceiveCount, "moved messages start over")
		require.Equal(t, sqsT0, m.SentAt)
		require.Empty(t, m.DLQSourceARN)
	}
	require.Equal(t, []string{"late"}, sqsBodies(sqsReceive(t, db, dlq, sqsT0+43_000, 10).Messages))

	list, err := db.SQSMoveTaskList(ctx, "arn:dlq", 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, store.SQSTaskCompleted, list[0].Status)
	_, err = db.SQSMoveTaskCancel(ctx, "h1", sqsT0+44_000)
	require.ErrorIs(t, err, store.ErrPreconditionFailed, "only running tasks can be cancelled")
	_, err = db.SQSMoveTaskCancel(ctx, "nope", sqsT0)
	require.ErrorIs(t, err, store.ErrNotFound)

	// A task to an explicit destination that disappears fails; a cancelled one stops.
	MustSQSSend(t, db, dlq, sqsT0+50_000, "", "x")
	t2, err := db.SQSMoveTaskStart(ctx, &store.SQSMoveTask{Handle: "h3", SourceQueueID: dlq.ID, SourceARN: "arn:dlq", DestARN: "arn:gone", StartedAt: sqsT0 + 50_000})
	require.NoError(t, err)
	f, err := db.SQSMoveTaskStep(ctx, &store.SQSMoveStepParams{TaskID: t2.ID, Now: sqsT0 + 51_000, Limit: 10, Resolve: resolve})
	require.NoError(t, err)
	require.Equal(t, store.SQSTaskFailed, f.Status)
	require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", f.FailureReason)

	t3, err := db.SQSMoveTaskStart(ctx, &store.SQSMoveTask{Handle: "h4", SourceQueueID: dlq.ID, SourceARN: "arn:dlq", DestARN: "arn:other", StartedAt: sqsT0 + 52_000})
	require.NoError(t, err)
	c, err := db.SQSMoveTaskCancel(ctx, "h4", sqsT0+52_500)
	require.NoError(t, err)
	require.Equal(t, store.SQSTaskCancelled, c.Status)
	after, err := db.SQSMoveTaskStep(ctx, &store.SQSMoveStepParams{TaskID: t3.ID, Now: sqsT0 + 53_000, Limit: 10,
		Resolve: func(string) store.SQSMoveDest { return store.SQSMoveDest{QueueID: other.ID, OK: true} }})
	require.NoError(t, err)
	require.Equal(t, store.SQSTaskCancelled, after.Status)
	require.Zero(t, after.Moved)
	running, err := db.SQSMoveTaskRunning(ctx)
	require.NoError(t, err)
	require.Empty(t, running)
}

func testSQSSweep(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	_, err := db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error { r.RetentionMs = 60_000; return nil })
	require.NoError(t, err)
	MustSQSSend(t, db, q, sqsT0, "", "old1", "old2")
	MustSQSSend(t, db, q, sqsT0+30_000, "", "new")
	gone := MustSQSQueue(t, db, "gone", false)
	require.NoError(t, db.SQSQueueDelete(ctx, gone.ID, sqsT0))
	n, err := db.SQSSweep(ctx, &store.SQSSweepParams{Now: sqsT0 + 60_000, DeletedCooldownMs: 60_000, TaskHistoryMs: 1, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
	counts, err := db.SQSQueueCount(ctx, q.ID, sqsT0+60_000, 0)
	require.NoError(t, err)
	require.Equal(t, int64(1), counts.Visible)
	// The tombstone is gone: the name is free at once.
	_, created, err := db.SQSQueueCreate(ctx, &store.SQSQueueCreateParams{Account: gone.Account, Region: gone.Region, Name: "gone", Attrs: "{}", Tags: "{}", Now: sqsT0 + 60_000, DeletedCooldownMs: 3_600_000})
	require.NoError(t, err)
	require.True(t, created)
}

// testSQSConcurrentReceivers races receivers of a standard queue on one handle.
func testSQSConcurrentReceivers(t *testing.T, db *store.DB) {
	q := MustSQSQueue(t, db, "q", false)
	var bodies []string
	for i := range 200 {
		bodies = append(bodies, fmt.Sprint(i))
	}
	MustSQSSend(t, db, q, sqsT0, "", bodies...)
	requireNoDoubleDelivery(t, q, []*store.DB{db, db, db, db}, len(bodies))
}

// testSQSTwoNodes races receivers on two handles of one PostgreSQL schema, as two Overcast
// nodes would.
func testSQSTwoNodes(t *testing.T, db *store.DB) {
	if db.Dialect() != store.Postgres {
		t.Skip("several nodes share a database only on PostgreSQL")
	}
	second := openSameSchema(t, db)
	q := MustSQSQueue(t, db, "q", false)
	var bodies []string
	for i := range 300 {
		bodies = append(bodies, fmt.Sprint(i))
	}
	MustSQSSend(t, db, q, sqsT0, "", bodies...)
	requireNoDoubleDelivery(t, q, []*store.DB{db, second, db, second, db, second}, len(bodies))

	// FIFO group exclusion holds across nodes too.
	fq := MustSQSQueue(t, db, "q.fifo", true)
	MustSQSSend(t, db, fq, sqsT0, "g", "1", "2", "3")
	var wg sync.WaitGroup
	results := make([]*store.SQSReceiveResult, 6)
	for i := range results {
		node := db
		if i%2 == 1 {
			node = second
		}
		wg.Go(func() {
			res, err := node.SQSMessageReceive(context.Background(), &store.SQSReceiveParams{
				QueueID: fq.ID, FIFO: true, Now: sqsT0, Max: 1, VisibleAt: sqsT0 + 30_000, Token: int64(i + 1),
			})
			if err == nil {
				results[i] = res
			}
		})
	}
	wg.Wait()
	got := 0
	for _, r := range results {
		require.NotNil(t, r)
		got += len(r.Messages)
	}
	require.Equal(t, 1, got, "one message of the group in flight at a time")
}

// requireNoDoubleDelivery has receivers on dbs drain q and checks that every message was
// received exactly once (none twice while in flight).
func requireNoDoubleDelivery(t *testing.T, q *store.SQSQueue, dbs []*store.DB, total int) {
	t.Helper()
	var (
		mu    sync.Mutex
		seen  = map[string]int{}
		errs  []error
		wg    sync.WaitGroup
		token int64
	)
	for _, node := range dbs {
		wg.Go(func() {
			for {
				mu.Lock()
				token++
				tok := token
				mu.Unlock()
				res, err := node.SQSMessageReceive(context.Background(), &store.SQSReceiveParams{
					QueueID: q.ID, Now: sqsT0, Max: 7, VisibleAt: sqsT0 + 60_000, Token: tok,
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				if len(res.Messages) == 0 {
					return
				}
				mu.Lock()
				for _, m := range res.Messages {
					seen[m.Body]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	require.Len(t, seen, total)
	for b, n := range seen {
		require.Equal(t, 1, n, "message %s delivered %d times", b, n)
	}
}

// openSameSchema opens a second handle on db's PostgreSQL schema, from TEST_DATABASE_URL
// (the local test server by default), and closes it when t ends.
func openSameSchema(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	var schema string
	require.NoError(t, db.Read(t.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(t.Context(), "SELECT current_schema()").Scan(&schema)
	}))
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	second, err := store.Open(t.Context(), store.Options{URL: u.String()})
	require.NoError(t, err)
	t.Cleanup(func() { second.Close() })
	return second
}

func testSQSDeleteFIFOExpiredHandle(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q.fifo", true)
	MustSQSSend(t, db, q, sqsT0, "g", "a")
	old := sqsReceiveOne(t, db, q, sqsT0, 1)

	// Past its visibility timeout the handle no longer holds the message.
	out, err := db.SQSMessageDeleteFIFO(ctx, q.ID, sqsT0+30_000, []store.SQSHandle{old})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSDeleteExpired}, out)

	// Received again: the old handle is expired, the current one deletes.
	current := sqsReceiveOne(t, db, q, sqsT0+30_000, 2)
	out, err = db.SQSMessageDeleteFIFO(ctx, q.ID, sqsT0+30_001, []store.SQSHandle{old, current})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSDeleteExpired, store.SQSDeleteDone}, out)

	// A message that is gone is done, as SQS ignores it.
	out, err = db.SQSMessageDeleteFIFO(ctx, q.ID, sqsT0+30_002, []store.SQSHandle{current, {ID: current.ID + 99, Token: 1}})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSDeleteDone, store.SQSDeleteDone}, out)
	counts, err := db.SQSQueueCount(ctx, q.ID, sqsT0+30_003, 0)
	require.NoError(t, err)
	require.Equal(t, store.SQSQueueCounts{}, counts)
}

func testSQSVisibilityAnyToken(t *testing.T, db *store.DB) {
	ctx := t.Context()
	q := MustSQSQueue(t, db, "q", false)
	MustSQSSend(t, db, q, sqsT0, "", "a")
	old := sqsReceiveOne(t, db, q, sqsT0, 1)
	// Visible again and received again: the first handle still changes the message.
	current := sqsReceiveOne(t, db, q, sqsT0+30_000, 2)
	now := sqsT0 + 30_001
	out, err := db.SQSMessageChangeVisibility(ctx, q.ID, now, 43_200_000, []store.SQSVisibility{
		{Handle: old, VisibleAt: now + 5_000, AnyToken: true},
		{Handle: current, VisibleAt: sqsT0 + 30_000 + 43_200_001, AnyToken: true},
		{Handle: store.SQSHandle{ID: old.ID + 99, Token: 1}, VisibleAt: now, AnyToken: true},
	})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSVisibilityChanged, store.SQSVisibilityTooLong, store.SQSVisibilityGone}, out)

	// Once the visibility timeout has ended the handle still hides the message again.
	now += 6_000
	out, err = db.SQSMessageChangeVisibility(ctx, q.ID, now, 43_200_000, []store.SQSVisibility{{Handle: current, VisibleAt: now + 10_000, AnyToken: true}})
	require.NoError(t, err)
	require.Equal(t, []int{store.SQSVisibilityChanged}, out)
	counts, err := db.SQSQueueCount(ctx, q.ID, now, 0)
	require.NoError(t, err)
	require.Equal(t, int64(1), counts.NotVisible)
}

// sqsReceiveOne receives one message of q at now, hidden for 30 s, with receipt token tok.
func sqsReceiveOne(t *testing.T, db *store.DB, q *store.SQSQueue, now, tok int64) store.SQSHandle {
	t.Helper()
	res := sqsReceive(t, db, q, now, 1, func(p *store.SQSReceiveParams) { p.Token = tok })
	require.Len(t, res.Messages, 1)
	return store.SQSHandle{ID: res.Messages[0].ID, Token: res.Messages[0].Token}
}
