package events

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// sentMessage is one message handed to the SQS send function.
type sentMessage struct {
	queue, body, group, dedup string
	attrs                     map[string]string
}

// testBundle is a service on a fresh SQLite store with a virtual clock, a started
// dispatcher and timer scheduler, and a recording SQS send function.
type testBundle struct {
	svc   *Service
	db    *store.DB
	clock *clock.Virtual
	ctx   context.Context

	mu      sync.Mutex
	sent    []sentMessage
	failing map[string]bool // queue ARNs whose sends fail
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T) *testBundle {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{Ephemeral: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	b := &testBundle{db: db, clock: clock.NewVirtual(t0), failing: map[string]bool{}}
	disp := delivery.New(delivery.Config{Store: db, Clock: b.clock, RandFunc: func() float64 { return 0 }})
	timers := timer.New(timer.Config{Store: db, Clock: b.clock})
	b.svc = New(Deps{Store: db, Clock: b.clock, Dispatcher: disp, Timers: timers, SendToSQS: b.send})
	require.NoError(t, disp.Start(t.Context()))
	require.NoError(t, timers.Start(t.Context()))
	t.Cleanup(func() { timers.Stop(); disp.Stop() })
	b.ctx = protocol.WithCall(t.Context(), &protocol.Call{Account: testAccount, Region: testRegion})
	return b
}

func (b *testBundle) send(_ context.Context, queue, body, group, dedup string, attrs map[string]string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failing[queue] {
		return errors.New("queue unavailable")
	}
	b.sent = append(b.sent, sentMessage{queue, body, group, dedup, attrs})
	return nil
}

// MustReceive waits until n messages reached queue and returns them.
func (b *testBundle) MustReceive(t *testing.T, queue string, n int) []sentMessage {
	t.Helper()
	var got []sentMessage
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		got = got[:0]
		for _, m := range b.sent {
			if m.queue == queue {
				got = append(got, m)
			}
		}
		return len(got) >= n
	}, 5*time.Second, 5*time.Millisecond)
	return got
}

func queueARN(name string) string { return "arn:aws:sqs:us-east-1:" + testAccount + ":" + name }

// MustRule creates a rule with an event pattern on bus and one SQS target.
func (b *testBundle) MustRule(t *testing.T, bus, name, pat string, target *Target) {
	t.Helper()
	in := &PutRuleInput{Name: ptr(name), EventPattern: ptr(pat)}
	if bus != "" {
		in.EventBusName = ptr(bus)
	}
	_, err := b.svc.PutRule(b.ctx, in)
	require.NoError(t, err)
	out, err := b.svc.PutTargets(b.ctx, &PutTargetsInput{Rule: ptr(name), EventBusName: in.EventBusName, Targets: []*Target{target}})
	require.NoError(t, err)
	require.Zero(t, *out.FailedEntryCount, "%v", out.FailedEntries)
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var pe *protocol.Error
	require.ErrorAs(t, err, &pe)
	require.Equal(t, code, pe.Code, pe.Message)
}
