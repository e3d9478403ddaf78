package delivery

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// TestPostgresNodes runs two dispatchers on one PostgreSQL schema, as two Overcast nodes: they
// share the jobs (each delivered once, keys in order), wake each other through the database,
// and retake the jobs a crashed node had claimed once its leases expire.
func TestPostgresNodes(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	var (
		mu        sync.Mutex
		delivered = map[string]int{}
		order     = map[string][]string{}
		byNode    [2]int
	)
	ds := make([]*Dispatcher, 2)
	for i, db := range nodes {
		d := New(Config{Store: db, Clock: clk, Concurrency: 8})
		d.Register("sqs", DelivererFunc(func(ctx context.Context, j *Job) error {
			mu.Lock()
			defer mu.Unlock()
			delivered[string(j.Payload)]++
			byNode[i]++
			if j.OrderingKey != "" {
				order[j.OrderingKey] = append(order[j.OrderingKey], string(j.Payload))
			}
			return nil
		}))
		if i == 1 {
			// Only the second node delivers this kind: the first must wake it.
			d.Register("lambda", DelivererFunc(func(ctx context.Context, j *Job) error {
				mu.Lock()
				defer mu.Unlock()
				delivered[string(j.Payload)]++
				return nil
			}))
		}
		require.NoError(t, d.Start(t.Context()))
		t.Cleanup(d.Stop)
		ds[i] = d
	}

	const total = 200
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := p; i < total; i += 4 {
				j := &Job{Target: "sqs", Payload: fmt.Appendf(nil, "%04d", i)}
				if i%2 == 0 {
					j.OrderingKey = fmt.Sprintf("key-%d", p)
				}
				if err := ds[i%2].Enqueue(t.Context(), nil, j); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(delivered) == total
	}, 30*time.Second, 5*time.Millisecond)

	// Woken across nodes: enqueued on the node without a deliverer for it.
	require.NoError(t, ds[0].Enqueue(t.Context(), nil, &Job{Target: "lambda", Payload: []byte("cross-node")}))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return delivered["cross-node"] == 1
	}, 30*time.Second, 5*time.Millisecond)

	mu.Lock()
	defer mu.Unlock()
	for p, n := range delivered {
		require.Equal(t, 1, n, "job %s delivered more than once", p)
	}
	for key, ps := range order {
		require.True(t, slices.IsSorted(ps), "key %s out of order: %v", key, ps)
	}
	t.Logf("node 0 delivered %d jobs, node 1 %d", byNode[0], byNode[1])
}

// TestPostgresLeaseRetake has a dispatcher take over a job that another node claimed before
// dying, once the claim's lease has expired on the clock.
func TestPostgresLeaseRetake(t *testing.T) {
	t.Parallel()
	nodes := storetest.MustPostgresNodes(t, 2)
	clk := clock.NewVirtual(t0)
	got := make(chan *Job, 1)
	d := New(Config{Store: nodes[1], Clock: clk, PollInterval: time.Hour})
	d.Register("sqs", DelivererFunc(func(ctx context.Context, j *Job) error {
		got <- j
		return nil
	}))
	j := &Job{Target: "sqs", Payload: []byte("claimed by the dead node"), Policy: Policy{AttemptTimeout: 10 * time.Second}}
	require.NoError(t, New(Config{Store: nodes[0], Clock: clk}).Enqueue(t.Context(), nil, j))
	res, err := nodes[0].DeliveryJobClaim(t.Context(), &store.DeliveryClaimParams{Target: "sqs", Now: t0.UnixMilli(), Limit: 1, Token: 42})
	require.NoError(t, err)
	require.Len(t, res.Jobs, 1)

	require.NoError(t, d.Start(t.Context()))
	t.Cleanup(d.Stop)
	st, err := d.Get(t.Context(), j.ID)
	require.NoError(t, err)
	require.True(t, st.Claimed, "PostgreSQL nodes keep each other's claims at start")
	require.Equal(t, t0.Add(10*time.Second+DefaultLeaseMargin), st.DueAt)
	// The node has looked, found nothing it may take, and sleeps until the lease expires.
	require.Eventually(t, func() bool {
		return d.pools["sqs"].nextWake.Load() == st.DueAt.UnixMilli()
	}, 30*time.Second, time.Millisecond)
	require.Empty(t, got, "not delivered while another node's lease holds")
	clk.Advance(10*time.Second + DefaultLeaseMargin)
	select {
	case dj := <-got:
		require.Equal(t, 2, dj.Attempt, "the dead node's claim counts as an attempt")
	case <-time.After(30 * time.Second):
		t.Fatal("the expired lease was not retaken")
	}
}
