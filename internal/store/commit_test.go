package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustOpenEphemeral(t *testing.T, opts Options) *DB {
	t.Helper()
	opts.Ephemeral = true
	db, err := Open(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func insert(ctx context.Context, tx *Tx, id string) error {
	_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id) VALUES (?)", id)
	return err
}

func ids(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	require.NoError(t, db.Read(t.Context(), func(tx *Tx) error {
		rows, err := tx.Query(t.Context(), "SELECT id FROM storetest_items ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	}))
	return out
}

// queueBehind holds the writer with one Write, queues fns behind it, releases it, and
// returns each fn's error.
func queueBehind(t *testing.T, db *DB, fns ...func(*Tx) error) []error {
	t.Helper()
	started, unblock := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.Write(context.Background(), func(tx *Tx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = db.Write(context.Background(), fn) })
		// Queue in order so that the group runs them in order.
		require.Eventually(t, func() bool { return db.Stats().Pending == int64(i+1) }, 10*time.Second, time.Millisecond)
	}
	close(unblock)
	wg.Wait()
	require.NoError(t, <-held)
	return errs
}

// TestWriteBrokenGroup breaks a group's transaction from inside one function: the functions
// run before it in that transaction fail with the transaction's error, and the ones after
// it run in a new transaction.
func TestWriteBrokenGroup(t *testing.T) {
	t.Parallel()
	db := mustOpenEphemeral(t, Options{})
	ctx := context.Background()
	errs := queueBehind(t, db,
		func(tx *Tx) error { return insert(ctx, tx, "a") },
		func(tx *Tx) error {
			_, err := tx.Exec(ctx, "ROLLBACK") // ends the shared transaction under everyone
			return err
		},
		func(tx *Tx) error { return insert(ctx, tx, "c") },
	)
	require.ErrorContains(t, errs[0], "group commit", "a's work was in the broken transaction")
	require.Error(t, errs[1])
	require.NoError(t, errs[2])
	require.Equal(t, []string{"c"}, ids(t, db))

	// The writer recovers for later writes.
	require.NoError(t, db.Write(ctx, func(tx *Tx) error { return insert(ctx, tx, "d") }))
	require.Equal(t, []string{"c", "d"}, ids(t, db))
}

// TestWriteMaxBatch checks that groups never exceed MaxBatch.
func TestWriteMaxBatch(t *testing.T) {
	t.Parallel()
	db := mustOpenEphemeral(t, Options{MaxBatch: 2})
	ctx := context.Background()
	before := db.Stats()
	errs := queueBehind(t, db,
		func(tx *Tx) error { return insert(ctx, tx, "1") },
		func(tx *Tx) error { return insert(ctx, tx, "2") },
		func(tx *Tx) error { return insert(ctx, tx, "3") },
		func(tx *Tx) error { return insert(ctx, tx, "4") },
		func(tx *Tx) error { return insert(ctx, tx, "5") },
	)
	for _, err := range errs {
		require.NoError(t, err)
	}
	after := db.Stats()
	require.Equal(t, int64(6), after.Writes-before.Writes)
	require.GreaterOrEqual(t, after.Batches-before.Batches, int64(4), "1 held + ceil(5/2) groups")
	require.Equal(t, []string{"1", "2", "3", "4", "5"}, ids(t, db))
}

// TestCloseAnswersQueuedWrites checks that Close lets queued writes finish and that later
// writes fail with ErrClosed.
func TestCloseAnswersQueuedWrites(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), Options{Ephemeral: true})
	require.NoError(t, err)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *Tx) error { return insert(ctx, tx, string(rune('a'+i))) })
		})
	}
	wg.Wait()
	require.NoError(t, db.Close())
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.ErrorIs(t, db.Write(ctx, func(*Tx) error { return nil }), ErrClosed)
	require.ErrorIs(t, db.Read(ctx, func(*Tx) error { return nil }), ErrClosed)
	require.ErrorIs(t, db.Reset(ctx, ""), ErrClosed)
	ch, _ := db.Notifier().Listen("x")
	_, open := <-ch
	require.False(t, open, "Listen on a closed DB returns a closed channel")
	require.NoError(t, db.Close(), "Close twice")
}

func TestEphemeralRemovedOnClose(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), Options{Ephemeral: true})
	require.NoError(t, err)
	dir := db.ephemeral
	require.DirExists(t, dir)
	require.NoError(t, db.Close())
	require.NoDirExists(t, dir)
}

func TestOpenOptions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, err := Open(ctx, Options{})
	require.ErrorContains(t, err, "no data directory")
	_, err = Open(ctx, Options{URL: "mysql://x"})
	require.ErrorContains(t, err, "unsupported URL")
	_, err = Open(ctx, Options{URL: "postgres://127.0.0.1:1/x", Ephemeral: true})
	require.ErrorContains(t, err, "ephemeral")
	_, err = Open(ctx, Options{DataDir: t.TempDir(), Sync: "sometimes"})
	require.ErrorContains(t, err, `sync "sometimes"`)

	dir := t.TempDir()
	db, err := Open(ctx, Options{URL: "sqlite:" + dir + "/custom.db"})
	require.NoError(t, err)
	require.Equal(t, SQLite, db.Dialect())
	require.NoError(t, db.Close())
	require.FileExists(t, dir+"/custom.db")

	db, err = Open(ctx, Options{URL: "sqlite", DataDir: dir + "/data"})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	require.FileExists(t, dir+"/data/"+FileName)
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	all := []error{ErrNotFound, ErrConflict, ErrPreconditionFailed, ErrClosed}
	for i, a := range all {
		for j, b := range all {
			require.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}

// TestWriteLazy checks that a group of lazy writes commits with synchronous=NORMAL, that a
// lazy write grouped with a durable one is flushed with it (FULL), and that the writer's
// connection is back at FULL after each.
func TestWriteLazy(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	level := func(tx *Tx) (int, error) {
		// SQLite computes a pragma's value when the statement is prepared: query it
		// unprepared, not through the statement cache.
		var n int
		err := tx.tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n)
		return n, err
	}
	const normal, full = 1, 2

	var seen int
	require.NoError(t, db.WriteLazy(ctx, func(tx *Tx) error {
		var err error
		if seen, err = level(tx); err != nil {
			return err
		}
		return insert(ctx, tx, "lazy")
	}))
	require.Equal(t, normal, seen, "a lazy group commits without an fsync")
	require.NoError(t, db.Write(ctx, func(tx *Tx) error {
		var err error
		seen, err = level(tx)
		return err
	}))
	require.Equal(t, full, seen, "durable writes fsync again after a lazy one")

	// Held behind another write, a lazy and a durable write share one group: it is durable.
	started, unblock := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.Write(context.Background(), func(tx *Tx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	var wg sync.WaitGroup
	var lazyLevel int
	var lazyErr, durableErr error
	wg.Go(func() {
		lazyErr = db.WriteLazy(ctx, func(tx *Tx) error {
			var err error
			if lazyLevel, err = level(tx); err != nil {
				return err
			}
			return insert(ctx, tx, "mixed-lazy")
		})
	})
	require.Eventually(t, func() bool { return db.Stats().Pending == 1 }, 10*time.Second, time.Millisecond)
	wg.Go(func() { durableErr = db.Write(ctx, func(tx *Tx) error { return insert(ctx, tx, "mixed-durable") }) })
	require.Eventually(t, func() bool { return db.Stats().Pending == 2 }, 10*time.Second, time.Millisecond)
	close(unblock)
	wg.Wait()
	require.NoError(t, <-held)
	require.NoError(t, lazyErr)
	require.NoError(t, durableErr)
	require.Equal(t, full, lazyLevel, "a lazy write grouped with a durable one is flushed with it")
	require.Equal(t, []string{"lazy", "mixed-durable", "mixed-lazy"}, ids(t, db))
}
