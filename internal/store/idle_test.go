package store

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReleaseMemory checks that freeing the SQLite connections' memory closes the idle
// readers beyond one and leaves the store fully usable.
func TestReleaseMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })

	write := func(id string) {
		require.NoError(t, db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, value) VALUES (?, ?)", id, "v")
			return err
		}))
	}
	count := func() int {
		var n int
		require.NoError(t, db.Read(ctx, func(tx *Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM storetest_items").Scan(&n)
		}))
		return n
	}
	write("a")
	// Concurrent reads, each holding its transaction until all have begun, open several
	// reader connections.
	var wg sync.WaitGroup
	var begun sync.WaitGroup
	begun.Add(4)
	for range 4 {
		wg.Go(func() {
			_ = db.Read(ctx, func(tx *Tx) error {
				begun.Done()
				begun.Wait()
				var n int
				return tx.QueryRow(ctx, "SELECT count(*) FROM storetest_items").Scan(&n)
			})
		})
	}
	wg.Wait()
	require.GreaterOrEqual(t, db.readerDB.Stats().OpenConnections, 4)

	db.ReleaseMemory(ctx)
	require.LessOrEqual(t, db.readerDB.Stats().OpenConnections, 1)

	write("b")
	require.Equal(t, 2, count())
	db.ReleaseMemory(ctx) // twice in a row is harmless
	require.Equal(t, 2, count())
}
