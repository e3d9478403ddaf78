package events

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/timer"
)

// TestRuleChangesReachOtherNodes runs a second service on the same store, as a second node
// would: its cached copy of a bus's rules follows changes made through the first node
// once cacheTTL has passed, through the bus's generation stamp.
func TestRuleChangesReachOtherNodes(t *testing.T) {
	b := setup(t)
	// The other node enqueues jobs that the first node's dispatcher delivers.
	other := New(Deps{
		Store: b.db, Clock: b.clock, SendToSQS: b.send,
		Dispatcher: delivery.New(delivery.Config{Store: b.db, Clock: b.clock}),
		Timers:     timer.New(timer.Config{Store: b.db, Clock: b.clock}),
	})
	put := func() {
		t.Helper()
		out, err := other.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
			{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{}`)},
		}})
		require.NoError(t, err)
		require.Zero(t, *out.FailedEntryCount)
	}
	count := func(queue string) int {
		b.mu.Lock()
		defer b.mu.Unlock()
		n := 0
		for _, m := range b.sent {
			if m.queue == queue {
				n++
			}
		}
		return n
	}

	b.MustRule(t, "", "first", `{"source":["shop"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("first"))})
	put()
	b.MustReceive(t, queueARN("first"), 1)

	// A rule added through the first node reaches the other node's copy after cacheTTL.
	b.MustRule(t, "", "second", `{"source":["shop"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("second"))})
	time.Sleep(cacheTTL + 100*time.Millisecond)
	put()
	b.MustReceive(t, queueARN("second"), 1)
	b.MustReceive(t, queueARN("first"), 2)

	// An unchanged stamp keeps the copy: events still route to both rules.
	time.Sleep(cacheTTL + 100*time.Millisecond)
	put()
	b.MustReceive(t, queueARN("second"), 2)

	// Disabling a rule through the first node stops it on the other node too.
	_, err := b.svc.DisableRule(b.ctx, &DisableRuleInput{Name: ptr("first")})
	require.NoError(t, err)
	time.Sleep(cacheTTL + 100*time.Millisecond)
	put()
	b.MustReceive(t, queueARN("second"), 3)
	require.Never(t, func() bool { return count(queueARN("first")) > 3 }, 300*time.Millisecond, 20*time.Millisecond)
	require.Equal(t, 3, count(queueARN("first")))
}

// TestBusTargetsLoadedPerBus checks that loading a bus's rules in one query keeps each
// bus's targets apart when one bus's name extends another's ("team" and "team/x").
func TestBusTargetsLoadedPerBus(t *testing.T) {
	b := setup(t)
	for _, name := range []string{"team", "team/x"} {
		_, err := b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: ptr(name)})
		require.NoError(t, err)
	}
	b.MustRule(t, "team", "r", `{"source":["shop"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("team"))})
	b.MustRule(t, "team/x", "r", `{"source":["shop"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("team-x"))})
	out, err := b.svc.PutEvents(b.ctx, &PutEventsInput{Entries: []*PutEventsRequestEntry{
		{EventBusName: ptr("team"), Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{}`)},
	}})
	require.NoError(t, err)
	require.Zero(t, *out.FailedEntryCount)
	b.MustReceive(t, queueARN("team"), 1)
	require.Never(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, m := range b.sent {
			if m.queue == queueARN("team-x") {
				return true
			}
		}
		return false
	}, 300*time.Millisecond, 20*time.Millisecond)
}
