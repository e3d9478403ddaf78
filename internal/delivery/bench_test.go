package delivery

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// BenchmarkEnqueueDeliver measures hand-offs per second through SQLite with group commit:
// producers enqueue jobs (each Enqueue its own write) while a no-op deliverer takes them, and
// the clock stops when the last is delivered. It also reports the median and 99th percentile
// time from Enqueue's call to the delivery, and the store writes per job. "durable" commits
// with fsync (each hand-off costs an enqueue, a share of a claim and a share of a completion
// commit); "ephemeral" keeps the database in memory, leaving the scheduling overhead alone;
// "postgres" runs each write as its own PostgreSQL transaction.
func BenchmarkEnqueueDeliver(b *testing.B) {
	for _, mode := range benchModes {
		for _, producers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/producers=%d", mode.name, producers), func(b *testing.B) {
				benchEnqueueDeliver(b, mode.open(b), producers)
			})
		}
	}
}

// benchModes are the stores the benchmarks run on: SQLite on disk and in memory, and
// PostgreSQL (skipped when unreachable).
var benchModes = []struct {
	name string
	open func(b *testing.B) *store.DB
}{
	{"durable", func(b *testing.B) *store.DB { return MustOpen(b, b.TempDir()) }},
	{"ephemeral", func(b *testing.B) *store.DB {
		db, err := store.Open(context.Background(), store.Options{Ephemeral: true})
		require.NoError(b, err)
		b.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", func(b *testing.B) *store.DB { return storetest.MustPostgresNodes(b, 1)[0] }},
}

func benchEnqueueDeliver(b *testing.B, db *store.DB, producers int) {
	var (
		delivered atomic.Int64
		done      = make(chan struct{})
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, b.N)
	)
	d := New(Config{Store: db})
	d.Register("nop", DelivererFunc(func(ctx context.Context, j *Job) error {
		sent := time.Unix(0, int64(binary.LittleEndian.Uint64(j.Payload)))
		mu.Lock()
		latencies = append(latencies, time.Since(sent))
		mu.Unlock()
		if delivered.Add(1) == int64(b.N) {
			close(done)
		}
		return nil
	}))
	require.NoError(b, d.Start(context.Background()))
	defer d.Stop()

	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range producers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				payload := binary.LittleEndian.AppendUint64(nil, uint64(time.Now().UnixNano()))
				if err := d.Enqueue(context.Background(), nil, &Job{Target: "nop", Payload: payload}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatalf("delivered %d of %d jobs", delivered.Load(), b.N)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	mu.Lock()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
	mu.Unlock()
	st := db.Stats()
	if st.Batches > 0 {
		b.ReportMetric(float64(st.Writes)/float64(st.Batches), "writes/commit")
		b.ReportMetric(float64(st.Writes)/float64(b.N), "writes/job")
	}
}

// BenchmarkHandOffLatency enqueues one job at a time and waits for its delivery: ns/op is
// the end-to-end time of one hand-off on an idle dispatcher. On "ephemeral" (no fsync) it is
// the scheduling overhead: the enqueue, the wake-up, the claim and the completion.
func BenchmarkHandOffLatency(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			db := mode.open(b)
			got := make(chan struct{}, 1)
			d := New(Config{Store: db})
			d.Register("nop", DelivererFunc(func(ctx context.Context, j *Job) error {
				got <- struct{}{}
				return nil
			}))
			require.NoError(b, d.Start(context.Background()))
			defer d.Stop()
			b.ResetTimer()
			for range b.N {
				if err := d.Enqueue(context.Background(), nil, &Job{Target: "nop"}); err != nil {
					b.Fatal(err)
				}
				<-got
			}
		})
	}
}
