package sqlite_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// TestStore runs the conformance suite on SQLite files, durable and ephemeral.
func TestStore(t *testing.T) {
	t.Parallel()
	t.Run("File", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) *store.DB {
			return MustOpen(t, store.Options{DataDir: t.TempDir()})
		})
	})
	t.Run("SyncProcess", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) *store.DB {
			return MustOpen(t, store.Options{DataDir: t.TempDir(), Sync: store.SyncProcess})
		})
	})
	t.Run("Ephemeral", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) *store.DB {
			return MustOpen(t, store.Options{Ephemeral: true})
		})
	})
}

// MustOpen opens a store and closes it when the test ends.
func MustOpen(tb testing.TB, opts store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(tb.Context(), opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, db.Close()) })
	return db
}
