package timer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// TestPostgresDeadNodeRelease has a node claim a timer and die (its heartbeat stops). The
// scheduler of a second node, which has no handler for the timer, releases the claim once
// the dead node has been silent for NodeTimeout; the release wakes a third node's
// scheduler through the database, which fires the timer well before the claim's lease
// expires. The dead node's row is deleted; a stopped node removes its own.
func TestPostgresDeadNodeRelease(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	fired := make(chan *Timer, 1)
	cfg := func(db *store.DB) Config {
		// No polling: only the release's notification can wake the firing node.
		return Config{Store: db, Clock: clk, PollInterval: time.Hour, NodeTimeout: 15 * time.Second, NodeClock: clk}
	}
	releaser := New(cfg(nodes[0])) // no handlers
	firer := New(cfg(nodes[1]))
	firer.Register("orphan", HandlerFunc(func(ctx context.Context, tx *store.Tx, tm *Timer) (time.Time, error) {
		fired <- tm
		return time.Time{}, nil
	}))
	// mustBeatAt waits for s's heartbeat at the clock's time.
	mustBeatAt := func(s *Scheduler) {
		now := clk.Now().UnixMilli()
		require.Eventually(t, func() bool {
			live, err := nodes[0].NodeList(t.Context())
			return err == nil && live[s.node] == now
		}, 30*time.Second, time.Millisecond)
	}

	require.NoError(t, firer.Schedule(t.Context(), nil, Timer{Kind: "orphan", Key: "o"}))
	const dead = 42
	_, err := nodes[0].NodeHeartbeat(t.Context(), &store.NodeHeartbeatParams{Node: dead, Now: t0.UnixMilli()})
	require.NoError(t, err)
	res, err := nodes[0].TimerClaim(t.Context(), &store.TimerClaimParams{Kinds: []string{"orphan"}, Now: t0.UnixMilli(), Limit: 1, LeaseMs: time.Minute.Milliseconds(), Token: 7, Node: dead})
	require.NoError(t, err)
	require.Len(t, res.Timers, 1)
	leaseEnd := res.Timers[0].RunAt

	// The releaser beats at t0, t0+5s, t0+10s, t0+15s; the firer starts at t0+12s and beats
	// next at t0+17s, so that only the releaser finds the dead node.
	require.NoError(t, releaser.Start(t.Context()))
	t.Cleanup(releaser.Stop)
	clk.Advance(5 * time.Second)
	mustBeatAt(releaser)
	clk.Advance(5 * time.Second)
	mustBeatAt(releaser)
	clk.Advance(2 * time.Second)
	require.NoError(t, firer.Start(t.Context()))
	t.Cleanup(firer.Stop)
	require.Eventually(t, func() bool { return firer.nextWake.Load() == leaseEnd }, 30*time.Second, time.Millisecond,
		"a node silent for less than NodeTimeout is alive: the timer waits for its lease")
	require.Empty(t, fired)

	clk.Advance(3*time.Second + time.Millisecond)
	select {
	case <-fired:
		require.Less(t, clk.Now().UnixMilli(), leaseEnd, "released before the lease expired")
	case <-time.After(30 * time.Second):
		t.Fatal("the dead node's claim was not released")
	}
	live, err := nodes[0].NodeList(t.Context())
	require.NoError(t, err)
	require.Len(t, live, 2)
	require.NotContains(t, live, int64(dead))

	releaser.Stop()
	firer.Stop()
	live, err = nodes[0].NodeList(t.Context())
	require.NoError(t, err)
	require.Empty(t, live, "stopped nodes leave")
}
