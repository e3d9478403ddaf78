package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// nodes opens n stores on one fresh schema, as n Overcast nodes sharing a database would,
// all starting at once so that their migrations race.
func nodes(t *testing.T, n int) []*store.DB {
	t.Helper()
	base := MustServer(t)
	first := MustOpenSchema(t, base) // creates the schema and cleans it up
	var schema string
	require.NoError(t, first.Read(t.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(t.Context(), "SELECT current_schema()").Scan(&schema)
	}))
	// Start over on an empty schema so that the others run migrations concurrently.
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	_, err = admin.ExecContext(t.Context(), fmt.Sprintf(`DROP SCHEMA %q CASCADE; CREATE SCHEMA %q`, schema, schema))
	require.NoError(t, err)

	u, err := url.Parse(base)
	require.NoError(t, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out := make([]*store.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i], errs[i] = store.Open(t.Context(), store.Options{URL: u.String()}) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		t.Cleanup(func() { require.NoError(t, out[i].Close()) })
	}
	return out
}

func TestNodesShareMigrationsLocksAndNotifications(t *testing.T) {
	t.Parallel()
	ns := nodes(t, 4)
	a, b := ns[0], ns[1]
	ctx := t.Context()

	var applied int
	require.NoError(t, a.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM store_migrations WHERE service = ?", "storetest").Scan(&applied)
	}))
	require.Equal(t, 2, applied, "each migration recorded once although four nodes started together")

	// A write on one node is read on another.
	require.NoError(t, a.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id) VALUES (?)", "shared")
		return err
	}))
	var id string
	require.NoError(t, b.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT id FROM storetest_items").Scan(&id)
	}))
	require.Equal(t, "shared", id)

	// A lease held by one node excludes the others.
	release, ok, err := a.TryLock(ctx, "scheduler")
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.TryLock(ctx, "scheduler")
	require.NoError(t, err)
	require.False(t, ok)
	release()
	releaseB, ok, err := b.TryLock(ctx, "scheduler")
	require.NoError(t, err)
	require.True(t, ok)
	releaseB()

	// A commit on one node wakes a listener on another.
	ch, cancel := b.Notifier().Listen("queue")
	defer cancel()
	require.NoError(t, a.Write(ctx, func(tx *store.Tx) error {
		tx.NotifyAfterCommit("queue", "from-a")
		return nil
	}))
	select {
	case p := <-ch:
		require.Equal(t, "from-a", p)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no cross-node notification")
	}
}

// TestNotifierReconnects kills the listening connection on the server and checks that the
// listener is woken (empty payload) and keeps receiving afterwards.
func TestNotifierReconnects(t *testing.T) {
	t.Parallel()
	base := MustServer(t)
	db := MustOpenSchema(t, base)
	ctx := t.Context()
	var schema string
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT current_schema()").Scan(&schema)
	}))
	ch, cancel := db.Notifier().Listen("wake")
	defer cancel()

	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	var killed int
	require.NoError(t, admin.QueryRowContext(ctx,
		`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND query LIKE '%' || $1 || '%'`,
		schema).Scan(&killed))
	require.Equal(t, 1, killed, "one listening connection for this schema")

	select {
	case p := <-ch:
		require.Empty(t, p, "reconnect wakes listeners with an empty payload")
	case <-time.After(15 * time.Second):
		require.FailNow(t, "listener not woken after reconnect")
	}
	require.NoError(t, db.Notifier().Notify(ctx, "wake", "after"))
	select {
	case p := <-ch:
		require.Equal(t, "after", p)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no notification after reconnect")
	}
}

// TestWriteRetriesSerializationFailure makes two writes conflict under SERIALIZABLE and checks
// that Write runs the loser again instead of failing.
func TestWriteRetriesSerializationFailure(t *testing.T) {
	t.Parallel()
	db := MustOpenSchema(t, MustServer(t))
	ctx := t.Context()
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, value) VALUES (?, ?)", "counter", "0")
		return err
	}))
	const writers = 8
	var (
		mu    sync.Mutex
		calls int
		wg    sync.WaitGroup
	)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			errs[i] = db.Write(context.Background(), func(tx *store.Tx) error {
				mu.Lock()
				calls++
				mu.Unlock()
				if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"); err != nil {
					return err
				}
				var v int
				if err := tx.QueryRow(ctx, "SELECT CAST(value AS INTEGER) FROM storetest_items WHERE id = ?", "counter").Scan(&v); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "UPDATE storetest_items SET value = ? WHERE id = ?", fmt.Sprint(v+1), "counter")
				return err
			})
		})
	}
	wg.Wait()
	succeeded := 0
	for _, err := range errs {
		if err == nil {
			succeeded++
		}
	}
	var v int
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT CAST(value AS INTEGER) FROM storetest_items WHERE id = ?", "counter").Scan(&v)
	}))
	require.Equal(t, succeeded, v, "every acknowledged increment counted exactly once")
	require.GreaterOrEqual(t, calls, writers)
	t.Logf("%d/%d increments succeeded with %d attempts", succeeded, writers, calls)
}
