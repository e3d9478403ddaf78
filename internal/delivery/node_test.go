package delivery

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// TestPostgresDeadNodeRelease has a node claim a job and die (its heartbeat stops): another
// node's dispatcher releases the claim once the node has been silent for NodeTimeout, well
// before the claim's lease expires, and delivers the job, the dead node's attempt counted.
func TestPostgresDeadNodeRelease(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	got := make(chan *Job, 1)
	d := New(Config{Store: nodes[1], Clock: clk, PollInterval: time.Hour, NodeTimeout: 15 * time.Second, NodeClock: clk})
	d.Register("sqs", DelivererFunc(func(ctx context.Context, j *Job) error {
		got <- j
		return nil
	}))
	j := &Job{Target: "sqs", Payload: []byte("claimed by the dead node"), Policy: Policy{AttemptTimeout: time.Minute}}
	require.NoError(t, New(Config{Store: nodes[0], Clock: clk}).Enqueue(t.Context(), nil, j))
	const dead = 42
	_, err := nodes[0].NodeHeartbeat(t.Context(), &store.NodeHeartbeatParams{Node: dead, Now: t0.UnixMilli()})
	require.NoError(t, err)
	res, err := nodes[0].DeliveryJobClaim(t.Context(), &store.DeliveryClaimParams{Target: "sqs", Now: t0.UnixMilli(), Limit: 1, Token: 7, Node: dead})
	require.NoError(t, err)
	require.Len(t, res.Jobs, 1)

	require.NoError(t, d.Start(t.Context()))
	t.Cleanup(d.Stop)
	st, err := d.Get(t.Context(), j.ID)
	require.NoError(t, err)
	require.True(t, st.Claimed, "a node silent for less than NodeTimeout is alive")
	require.Eventually(t, func() bool {
		return d.pools["sqs"].nextWake.Load() == st.DueAt.UnixMilli()
	}, 30*time.Second, time.Millisecond)
	require.Empty(t, got)

	clk.Advance(15*time.Second + time.Millisecond)
	select {
	case dj := <-got:
		require.Equal(t, 2, dj.Attempt, "the dead node's claim counts as an attempt")
		require.Less(t, clk.Now(), st.DueAt, "released before the lease expired")
	case <-time.After(30 * time.Second):
		t.Fatal("the dead node's claim was not released")
	}
	live, err := nodes[0].NodeList(t.Context())
	require.NoError(t, err)
	require.Equal(t, []int64{d.node}, slices.Collect(maps.Keys(live)), "the dead node's row is gone")

	d.Stop()
	live, err = nodes[0].NodeList(t.Context())
	require.NoError(t, err)
	require.Empty(t, live, "a stopped node leaves")
}

// TestPostgresLiveNodesKeepClaims runs two dispatchers on one PostgreSQL schema for longer
// than NodeTimeout while one of them holds a job in a slow delivery: their heartbeats keep
// each other alive, so the job is never released nor delivered twice.
func TestPostgresLiveNodesKeepClaims(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	started := make(chan struct{}, 2)
	finish := make(chan struct{})
	delivered := make(chan int, 2)
	ds := make([]*Dispatcher, 2)
	for i, db := range nodes {
		d := New(Config{Store: db, Clock: clk, PollInterval: time.Hour, NodeTimeout: 15 * time.Second, NodeClock: clk, AttemptTimeout: time.Hour})
		d.Register("sqs", DelivererFunc(func(ctx context.Context, j *Job) error {
			started <- struct{}{}
			<-finish
			delivered <- j.Attempt
			return nil
		}))
		require.NoError(t, d.Start(t.Context()))
		t.Cleanup(d.Stop)
		ds[i] = d
	}
	t.Cleanup(func() {
		select {
		case <-finish:
		default:
			close(finish)
		}
	})
	require.NoError(t, ds[0].Enqueue(t.Context(), nil, &Job{Target: "sqs", Payload: []byte("slow")}))
	<-started
	for range 12 {
		clk.Advance(5 * time.Second)
		// Wait for both heartbeats of this tick, so that the clock never runs ahead of a
		// live node's heartbeat.
		now := clk.Now().UnixMilli()
		require.Eventually(t, func() bool {
			live, err := nodes[0].NodeList(t.Context())
			return err == nil && len(live) == 2 && live[ds[0].node] == now && live[ds[1].node] == now
		}, 30*time.Second, time.Millisecond)
	}
	close(finish)
	require.Equal(t, 1, <-delivered)
	require.Empty(t, started, "the job was never delivered twice")
	require.Eventually(t, func() bool {
		jobs, err := ds[0].List(t.Context(), "sqs")
		return err == nil && len(jobs) == 0
	}, 30*time.Second, time.Millisecond)
}
