package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// frameworkCases covers the store itself: migrations, group commit, snapshots, Reset, error
// translation, the notifier and leases. They use the storetest_items table from
// migrations/storetest.
func frameworkCases() []Case {
	return []Case{
		{"MigrationsAppliedOnce", testMigrationsAppliedOnce},
		{"MigrationBinaryVariant", testMigrationBinaryVariant},
		{"WriteSavepointIsolation", testWriteSavepointIsolation},
		{"WriteConcurrentWriters", testWriteConcurrentWriters},
		{"WriteCancelledBeforeRun", testWriteCancelledBeforeRun},
		{"WritePanicReachesCaller", testWritePanicReachesCaller},
		{"WriteTxInvalidAfterReturn", testWriteTxInvalidAfterReturn},
		{"ReadIsReadOnly", testReadIsReadOnly},
		{"ReadSnapshot", testReadSnapshot},
		{"ResetOneService", testResetOneService},
		{"ErrConflict", testErrConflict},
		{"ErrNotFound", testErrNotFound},
		{"NotifierAfterCommit", testNotifierAfterCommit},
		{"NotifierListenCancel", testNotifierListenCancel},
		{"TryLockExclusive", testTryLockExclusive},
	}
}

// errTest is a function's own failure, which Write must hand back unchanged.
var errTest = errors.New("storetest: deliberate failure")

// MustInsertItem inserts an item in its own Write and fails the test on error.
func MustInsertItem(tb testing.TB, db *store.DB, id, value string) {
	tb.Helper()
	require.NoError(tb, db.Write(context.Background(), func(tx *store.Tx) error {
		return insertItem(context.Background(), tx, id, value)
	}))
}

func insertItem(ctx context.Context, tx *store.Tx, id, value string) error {
	_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, value, created_at) VALUES (?, ?, ?)", id, value, time.Now().UnixMilli())
	return err
}

// itemValues returns every item as id → value.
func itemValues(tb testing.TB, db *store.DB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	require.NoError(tb, db.Read(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.Query(context.Background(), "SELECT id, value FROM storetest_items")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, value string
			if err := rows.Scan(&id, &value); err != nil {
				return err
			}
			out[id] = value
		}
		return rows.Err()
	}))
	return out
}

func countRows(tb testing.TB, db *store.DB, query string, args ...any) int {
	tb.Helper()
	var n int
	require.NoError(tb, db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), query, args...).Scan(&n)
	}))
	return n
}

func testMigrationsAppliedOnce(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const q = "SELECT count(*) FROM store_migrations WHERE service = ?"
	applied := countRows(t, db, q, "storetest")
	require.Equal(t, 2, applied, "storetest ships migrations 0001 and 0002")
	total := countRows(t, db, "SELECT count(*) FROM store_migrations")
	MustInsertItem(t, db, "kept", "v")

	// Several nodes starting at once run Migrate concurrently.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, applied, countRows(t, db, q, "storetest"))
	require.Equal(t, total, countRows(t, db, "SELECT count(*) FROM store_migrations"))
	require.Equal(t, map[string]string{"kept": "v"}, itemValues(t, db))
}

func testMigrationBinaryVariant(t *testing.T, db *store.DB) {
	ctx := t.Context()
	payload := []byte{0, 1, 2, 0xfe, 0xff, 0}
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO storetest_items (id, payload) VALUES (?, ?)", "bin", payload)
		return err
	}))
	var got []byte
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT payload FROM storetest_items WHERE id = ?", "bin").Scan(&got)
	}))
	require.Equal(t, payload, got)
}

// holdWriter runs a Write whose function blocks until the returned release is called, so
// that further writes queue up behind it (on SQLite they then form one group).
func holdWriter(t *testing.T, db *store.DB) (release func(), done <-chan error) {
	t.Helper()
	started := make(chan struct{})
	unblock := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- db.Write(context.Background(), func(tx *store.Tx) error {
			close(started)
			<-unblock
			return insertItem(context.Background(), tx, "holder", "h")
		})
	}()
	<-started
	var once sync.Once
	release = func() { once.Do(func() { close(unblock) }) }
	t.Cleanup(release)
	return release, result
}

func testWriteSavepointIsolation(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustInsertItem(t, db, "existing", "e")
	before := db.Stats()
	release, held := holdWriter(t, db)

	const n = 24
	type outcome struct {
		err      error
		panicked any
	}
	results := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			defer func() { results[i].panicked = recover() }()
			results[i].err = db.Write(ctx, func(tx *store.Tx) error {
				if err := insertItem(ctx, tx, fmt.Sprintf("item-%02d", i), "v"); err != nil {
					return err
				}
				switch i % 4 {
				case 1: // its own failure after writing
					return fmt.Errorf("item %d: %w", i, errTest)
				case 2: // a constraint violation after writing
					return insertItem(ctx, tx, "existing", "dup")
				case 3:
					if i == 3 {
						panic("storetest: deliberate panic")
					}
				}
				return nil
			})
		})
	}
	if db.Dialect() == store.SQLite {
		require.Eventually(t, func() bool { return db.Stats().Pending == n },
			10*time.Second, time.Millisecond, "all writes queue behind the held one")
	}
	release()
	wg.Wait()
	require.NoError(t, <-held)

	want := map[string]string{"existing": "e", "holder": "h"}
	for i, r := range results {
		id := fmt.Sprintf("item-%02d", i)
		switch {
		case i == 3:
			require.Equal(t, "storetest: deliberate panic", r.panicked, id)
		case i%4 == 1:
			require.ErrorIs(t, r.err, errTest, id)
			require.Nil(t, r.panicked, id)
		case i%4 == 2:
			require.ErrorIs(t, r.err, store.ErrConflict, id)
			require.Nil(t, r.panicked, id)
		default:
			require.NoError(t, r.err, id)
			require.Nil(t, r.panicked, id)
			want[id] = "v"
		}
	}
	require.Equal(t, want, itemValues(t, db))

	if db.Dialect() == store.SQLite {
		after := db.Stats()
		require.Equal(t, int64(n+1), after.Writes-before.Writes)
		require.Equal(t, int64(2), after.Batches-before.Batches, "the held write, then one group of %d", n)
	}
}

func testWriteConcurrentWriters(t *testing.T, db *store.DB) {
	ctx := t.Context()
	const writers, perWriter = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				errs <- db.Write(ctx, func(tx *store.Tx) error {
					return insertItem(ctx, tx, fmt.Sprintf("w%02d-%03d", w, i), "v")
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got := itemValues(t, db)
	require.Len(t, got, writers*perWriter)
	for w := range writers {
		for i := range perWriter {
			require.Contains(t, got, fmt.Sprintf("w%02d-%03d", w, i))
		}
	}
}

func testWriteCancelledBeforeRun(t *testing.T, db *store.DB) {
	release, held := holdWriter(t, db)
	ctx, cancel := context.WithCancel(t.Context())
	result := make(chan error, 1)
	go func() {
		result <- db.Write(ctx, func(tx *store.Tx) error {
			return insertItem(context.Background(), tx, "cancelled", "c")
		})
	}()
	if db.Dialect() == store.SQLite {
		require.Eventually(t, func() bool { return db.Stats().Pending == 1 }, 10*time.Second, time.Millisecond)
	}
	cancel()
	err := <-result
	release()
	require.NoError(t, <-held)
	// On PostgreSQL the write may have finished before the cancellation; either way the
	// caller's answer and the database agree.
	values := itemValues(t, db)
	if err != nil {
		require.ErrorIs(t, err, context.Canceled)
		require.NotContains(t, values, "cancelled")
	} else {
		require.Contains(t, values, "cancelled")
	}
	if db.Dialect() == store.SQLite {
		require.ErrorIs(t, err, context.Canceled, "a queued write is skipped once its caller gives up")
	}

	// A context cancelled before the call never writes.
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, db.Write(ctx, func(tx *store.Tx) error {
		return insertItem(context.Background(), tx, "never", "n")
	}), context.Canceled)
	require.NotContains(t, itemValues(t, db), "never")
}

func testWritePanicReachesCaller(t *testing.T, db *store.DB) {
	ctx := t.Context()
	require.PanicsWithValue(t, "boom", func() {
		_ = db.Write(ctx, func(tx *store.Tx) error {
			if err := insertItem(ctx, tx, "panicked", "p"); err != nil {
				return err
			}
			panic("boom")
		})
	})
	require.PanicsWithValue(t, "boom", func() {
		_ = db.Read(ctx, func(tx *store.Tx) error { panic("boom") })
	})
	MustInsertItem(t, db, "after", "a")
	require.Equal(t, map[string]string{"after": "a"}, itemValues(t, db))
}

func testWriteTxInvalidAfterReturn(t *testing.T, db *store.DB) {
	ctx := t.Context()
	var kept *store.Tx
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		require.Equal(t, db.Dialect(), tx.Dialect())
		kept = tx
		return nil
	}))
	_, err := kept.Exec(ctx, "INSERT INTO storetest_items (id) VALUES (?)", "late")
	require.Error(t, err)
	require.NotContains(t, itemValues(t, db), "late")
}

func testReadIsReadOnly(t *testing.T, db *store.DB) {
	ctx := t.Context()
	err := db.Read(ctx, func(tx *store.Tx) error {
		return insertItem(ctx, tx, "sneaky", "s")
	})
	require.Error(t, err)
	require.NotContains(t, itemValues(t, db), "sneaky")
}

func testReadSnapshot(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustInsertItem(t, db, "first", "1")
	var before, after int
	require.NoError(t, db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM storetest_items").Scan(&before); err != nil {
			return err
		}
		// A write commits while this read is open; the read must not see it.
		MustInsertItem(t, db, "second", "2")
		return tx.QueryRow(ctx, "SELECT count(*) FROM storetest_items").Scan(&after)
	}))
	require.Equal(t, 1, before)
	require.Equal(t, before, after)
	require.Len(t, itemValues(t, db), 2)
}

func testResetOneService(t *testing.T, db *store.DB) {
	ctx := t.Context()
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE other_things (id TEXT PRIMARY KEY)"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO other_things (id) VALUES (?)", "o")
		return err
	}))
	MustInsertItem(t, db, "a", "1")
	MustInsertItem(t, db, "b", "2")
	migrations := countRows(t, db, "SELECT count(*) FROM store_migrations")

	require.NoError(t, db.Reset(ctx, "storetest"))
	require.Empty(t, itemValues(t, db))
	require.Equal(t, 1, countRows(t, db, "SELECT count(*) FROM other_things"))

	require.NoError(t, db.Reset(ctx, "nosuchservice"))
	require.Equal(t, 1, countRows(t, db, "SELECT count(*) FROM other_things"))

	MustInsertItem(t, db, "c", "3")
	require.NoError(t, db.Reset(ctx, ""))
	require.Empty(t, itemValues(t, db))
	require.Equal(t, 0, countRows(t, db, "SELECT count(*) FROM other_things"))
	require.Equal(t, migrations, countRows(t, db, "SELECT count(*) FROM store_migrations"))

	// The tables still work after a reset.
	MustInsertItem(t, db, "a", "again")
	require.Equal(t, map[string]string{"a": "again"}, itemValues(t, db))
}

func testErrConflict(t *testing.T, db *store.DB) {
	ctx := t.Context()
	MustInsertItem(t, db, "dup", "first")
	var execErr error
	err := db.Write(ctx, func(tx *store.Tx) error {
		execErr = insertItem(ctx, tx, "dup", "second")
		return execErr
	})
	require.ErrorIs(t, execErr, store.ErrConflict, "Exec translates the unique violation itself")
	require.ErrorIs(t, err, store.ErrConflict)
	require.Equal(t, map[string]string{"dup": "first"}, itemValues(t, db))

	// A function's own error comes back unchanged.
	err = db.Write(ctx, func(tx *store.Tx) error { return fmt.Errorf("wrapped: %w", errTest) })
	require.ErrorIs(t, err, errTest)
	require.NotErrorIs(t, err, store.ErrConflict)
	require.NotErrorIs(t, err, store.ErrNotFound)
}

func testErrNotFound(t *testing.T, db *store.DB) {
	ctx := t.Context()
	var v string
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT value FROM storetest_items WHERE id = ?", "missing").Scan(&v)
	})
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, err, sql.ErrNoRows, "the cause stays reachable")

	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, "SELECT value FROM storetest_items WHERE id = ?", "missing").Scan(&v)
	})
	require.ErrorIs(t, err, store.ErrNotFound)

	n := int64(-1)
	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.Exec(ctx, "UPDATE storetest_items SET value = ? WHERE id = ?", "x", "missing")
		return err
	}))
	require.Zero(t, n, "an UPDATE that matches nothing affects no rows")
}

// receive waits for one notification.
func receive(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case p, ok := <-ch:
		require.True(t, ok, "listener closed")
		return p
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no notification within 10s")
		return ""
	}
}

func testNotifierAfterCommit(t *testing.T, db *store.DB) {
	ctx := t.Context()
	n := db.Notifier()
	ch1, cancel1 := n.Listen("items")
	defer cancel1()
	ch2, cancel2 := n.Listen("items")
	defer cancel2()
	other, cancelOther := n.Listen("other")
	defer cancelOther()

	require.NoError(t, db.Write(ctx, func(tx *store.Tx) error {
		tx.NotifyAfterCommit("items", "committed")
		if err := insertItem(ctx, tx, "n1", "v"); err != nil {
			return err
		}
		select {
		case p := <-ch1:
			return fmt.Errorf("notification %q delivered before commit", p)
		default:
			return nil
		}
	}))
	require.Equal(t, "committed", receive(t, ch1))
	require.Equal(t, "committed", receive(t, ch2))

	// A failed write's notification is dropped.
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.NotifyAfterCommit("items", "rolled back")
		return errTest
	})
	require.ErrorIs(t, err, errTest)
	require.NoError(t, n.Notify(ctx, "items", "direct"))
	require.Equal(t, "direct", receive(t, ch1), "the rolled-back notification never arrives")
	require.Equal(t, "direct", receive(t, ch2))

	require.NoError(t, n.Notify(ctx, "other", "o"))
	require.Equal(t, "o", receive(t, other))
	select {
	case p := <-ch1:
		require.FailNow(t, "notification on another channel leaked", p)
	default:
	}
}

func testNotifierListenCancel(t *testing.T, db *store.DB) {
	ctx := t.Context()
	n := db.Notifier()
	ch, cancel := n.Listen("c")
	keep, cancelKeep := n.Listen("c")
	defer cancelKeep()
	cancel()
	cancel()
	_, ok := <-ch
	require.False(t, ok, "cancel closes the channel")
	require.NoError(t, n.Notify(ctx, "c", "still"))
	require.Equal(t, "still", receive(t, keep))
}

func testTryLockExclusive(t *testing.T, db *store.DB) {
	ctx := t.Context()
	release, ok, err := db.TryLock(ctx, "leader")
	require.NoError(t, err)
	require.True(t, ok)

	_, ok, err = db.TryLock(ctx, "leader")
	require.NoError(t, err)
	require.False(t, ok, "a held lease is exclusive")

	releaseOther, ok, err := db.TryLock(ctx, "another")
	require.NoError(t, err)
	require.True(t, ok, "leases are independent by name")
	releaseOther()

	release()
	release()
	release2, ok, err := db.TryLock(ctx, "leader")
	require.NoError(t, err)
	require.True(t, ok, "a released lease can be taken again")
	release2()
}
