package timer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// TestPostgresNodes runs two schedulers on one PostgreSQL schema, as two Overcast nodes: every
// timer fires once, a timer scheduled on one node wakes the other, and a timer claimed by a
// node that died fires on the other once the lease expires.
func TestPostgresNodes(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	var (
		mu    sync.Mutex
		fired = map[string]int{}
	)
	record := HandlerFunc(func(ctx context.Context, tx *store.Tx, tm *Timer) (time.Time, error) {
		mu.Lock()
		defer mu.Unlock()
		fired[tm.Key]++
		return time.Time{}, nil
	})
	ss := make([]*Scheduler, 2)
	for i, db := range nodes {
		s := New(Config{Store: db, Clock: clk, Lease: 10 * time.Second})
		s.Register("shared", record)
		if i == 1 {
			s.Register("only-second", record)
		}
		require.NoError(t, s.Start(t.Context()))
		t.Cleanup(s.Stop)
		ss[i] = s
	}
	const total = 200
	for i := range total {
		require.NoError(t, ss[i%2].Schedule(t.Context(), nil, Timer{Kind: "shared", Key: fmt.Sprint(i), DueAt: t0.Add(time.Duration(i%5) * time.Second)}))
	}
	clk.Advance(5 * time.Second)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(fired) == total
	}, 30*time.Second, 5*time.Millisecond)

	// Scheduled on the node that has no handler for it: the other is woken through the
	// database.
	require.NoError(t, ss[0].Schedule(t.Context(), nil, Timer{Kind: "only-second", Key: "cross-node"}))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return fired["cross-node"] == 1
	}, 30*time.Second, 5*time.Millisecond)

	// A node claims a timer and dies before firing it.
	require.NoError(t, ss[0].Schedule(t.Context(), nil, Timer{Kind: "orphan", Key: "o"}))
	res, err := nodes[0].TimerClaim(t.Context(), &store.TimerClaimParams{Kinds: []string{"orphan"}, Now: clk.Now().UnixMilli(), Limit: 1, LeaseMs: 10_000, Token: 42})
	require.NoError(t, err)
	require.Len(t, res.Timers, 1)
	s := New(Config{Store: nodes[1], Clock: clk, PollInterval: time.Hour})
	s.Register("orphan", record)
	require.NoError(t, s.Start(t.Context()))
	t.Cleanup(s.Stop)
	require.Eventually(t, func() bool { return s.nextWake.Load() == res.Timers[0].RunAt }, 30*time.Second, time.Millisecond,
		"the node sleeps until the dead node's lease expires")
	clk.Advance(10 * time.Second)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return fired["o"] == 1
	}, 30*time.Second, 5*time.Millisecond)

	mu.Lock()
	defer mu.Unlock()
	for key, n := range fired {
		require.Equal(t, 1, n, "timer %s fired more than once", key)
	}
}
