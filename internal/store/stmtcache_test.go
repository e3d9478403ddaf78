package store

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStatementCache checks that SQLite statements are prepared once in the background
// and then reused, for writes inside group commits and for reads, and that a statement
// that cannot be prepared still fails with its own error.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	db := mustOpenEphemeral(t, Options{})
	ctx := t.Context()
	const q = "INSERT INTO storetest_items (id) VALUES (?)"
	for i := range 50 {
		require.NoError(t, db.Write(ctx, func(tx *Tx) error { return insert(ctx, tx, fmt.Sprintf("id-%03d", i)) }))
	}
	require.Eventually(t, func() bool {
		v, ok := db.writeStmts.stmts.Load(q)
		_, prepared := v.(*sql.Stmt)
		return ok && prepared
	}, 10*time.Second, time.Millisecond)
	// Reusing the prepared statement in a group of writes, some failing.
	errs := queueBehind(t, db,
		func(tx *Tx) error { return insert(ctx, tx, "id-100") },
		func(tx *Tx) error { return insert(ctx, tx, "id-000") }, // duplicate
		func(tx *Tx) error { return insert(ctx, tx, "id-101") },
	)
	require.NoError(t, errs[0])
	require.ErrorIs(t, errs[1], ErrConflict)
	require.NoError(t, errs[2])

	for range 3 {
		require.Len(t, ids(t, db), 52)
	}
	require.Eventually(t, func() bool {
		_, ok := db.readStmts.stmts.Load("SELECT id FROM storetest_items ORDER BY id")
		return ok
	}, 10*time.Second, time.Millisecond)

	bad := "INSERT INTO no_such_table (id) VALUES (?)"
	for range 3 {
		err := db.Write(ctx, func(tx *Tx) error { _, err := tx.Exec(ctx, bad, "x"); return err })
		require.ErrorContains(t, err, "no_such_table")
	}
	require.Eventually(t, func() bool {
		v, _ := db.writeStmts.stmts.Load(bad)
		return v == stmtFailed
	}, 10*time.Second, time.Millisecond)
	err := db.Write(ctx, func(tx *Tx) error { _, err := tx.Exec(ctx, bad, "x"); return err })
	require.ErrorContains(t, err, "no_such_table")
}
