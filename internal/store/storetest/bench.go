package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// BenchWrites runs b.N single-row Write calls from writers goroutines and reports writes/s
// and, on SQLite, the mean group size.
func BenchWrites(b *testing.B, db *store.DB, writers int) {
	var next atomic.Int64
	before := db.Stats()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				err := db.Write(b.Context(), func(tx *store.Tx) error {
					_, err := tx.Exec(b.Context(), "INSERT INTO storetest_items (id, value) VALUES (?, ?)", fmt.Sprintf("bench-%d", i), "v")
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	if after := db.Stats(); after.Batches > before.Batches {
		b.ReportMetric(float64(after.Writes-before.Writes)/float64(after.Batches-before.Batches), "writes/commit")
	}
}
