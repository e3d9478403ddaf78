package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// Tx is one caller's view of a transaction, handed to the function given to DB.Write or
// DB.Read. Queries use ? placeholders on every dialect. A Tx is valid only while that
// function runs: it must not be kept or used from another goroutine afterwards.
//
// Errors from Exec and Query are already translated: a unique violation is ErrConflict. A
// *sql.Row's Scan returns sql.ErrNoRows as usual; returned from the function, it becomes
// ErrNotFound.
//
// On PostgreSQL a failed statement aborts the whole transaction, so a function must return
// once a statement fails rather than go on; to test for an existing row, write
// INSERT ... ON CONFLICT DO NOTHING and look at the rows affected. Both dialects accept
// INSERT ... ON CONFLICT (...) DO UPDATE SET c = excluded.c and RETURNING as is. PostgreSQL's
// jsonb ? operators cannot be used: ? is always a placeholder.
type Tx struct {
	tx            *sql.Tx
	db            *DB
	stmts         *stmtCache // SQLite: statements prepared on tx's connection pool
	prepared      map[*sql.Stmt]*sql.Stmt
	readOnly      bool
	detach        bool // statements must not be interrupted by the caller's context
	done          bool
	rows          []*sql.Rows
	notifications []notification
}

type notification struct{ channel, payload string }

// errTxDone reports use of a Tx after its function returned.
var errTxDone = errors.New("store: transaction used after its function returned")

// Dialect returns the SQL dialect of the database behind tx.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// stmtContext returns the context to run a statement with. In a group commit many callers
// share one SQLite transaction, and SQLite rolls back the whole transaction when a write
// statement is interrupted, so one caller's cancellation must not reach the driver: it is
// checked before each statement instead.
func (tx *Tx) stmtContext(ctx context.Context) (context.Context, error) {
	if tx.done {
		return nil, errTxDone
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if tx.detach {
		return context.WithoutCancel(ctx), nil
	}
	return ctx, nil
}

// Exec runs a statement and returns the number of rows it affected.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx, err := tx.stmtContext(ctx)
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if st, perr := tx.stmt(ctx, query); perr != nil {
		return 0, tx.db.interpretError(perr)
	} else if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = tx.tx.ExecContext(ctx, tx.db.rebind(query), args...)
	}
	if err != nil {
		return 0, tx.db.interpretError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, tx.db.interpretError(err)
	}
	return n, nil
}

// rowScanner is what the store's scan functions read a row from: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// queryAll runs query and scans every row it returns with scan, in order; nil when there
// are none.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Query runs a query. The rows are closed when the function given to Write or Read returns,
// if the caller has not closed them before.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := tx.stmtContext(ctx)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	if st, perr := tx.stmt(ctx, query); perr != nil {
		return nil, tx.db.interpretError(perr)
	} else if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = tx.tx.QueryContext(ctx, tx.db.rebind(query), args...)
	}
	if err != nil {
		return nil, tx.db.interpretError(err)
	}
	tx.rows = append(tx.rows, rows)
	return rows, nil
}

// QueryRow runs a query that returns at most one row. Scan returns sql.ErrNoRows when there
// is none.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	sctx, err := tx.stmtContext(ctx)
	if err != nil {
		// database/sql gives no way to build a Row holding an error; a cancelled context
		// makes QueryRowContext report it through Scan.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		return tx.tx.QueryRowContext(cctx, "SELECT 1")
	}
	if st, err := tx.stmt(sctx, query); err == nil && st != nil {
		return st.QueryRowContext(sctx, args...)
	}
	return tx.tx.QueryRowContext(sctx, tx.db.rebind(query), args...)
}

// stmt returns query prepared and bound to tx, or nil when tx has no statement cache
// (PostgreSQL) or the statement is not prepared yet.
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.stmts == nil {
		return nil, nil
	}
	st := tx.stmts.get(query)
	if st == nil {
		return nil, nil
	}
	// database/sql prepares a pool statement on the transaction's connection once per
	// connection and reuses it after; the per-transaction wrapper is kept so each query
	// text costs one wrapper per transaction.
	if ts, ok := tx.prepared[st]; ok {
		return ts, nil
	}
	ts := tx.tx.StmtContext(ctx, st)
	if tx.prepared == nil {
		tx.prepared = make(map[*sql.Stmt]*sql.Stmt, 4)
	}
	tx.prepared[st] = ts
	return ts, nil
}

// NotifyAfterCommit queues a notification that is sent only if this function's work
// commits: on SQLite right after the group's commit, on PostgreSQL by the server at commit.
// It is dropped when the function fails.
func (tx *Tx) NotifyAfterCommit(channel, payload string) {
	if tx.done || tx.readOnly {
		return
	}
	tx.notifications = append(tx.notifications, notification{channel, payload})
}

// finish closes what the function left open and invalidates tx.
func (tx *Tx) finish() {
	for _, r := range tx.rows {
		r.Close()
	}
	tx.rows = nil
	tx.done = true
}

// rebinder rewrites ? placeholders into $1, $2, ... for PostgreSQL, leaving string literals,
// quoted identifiers and comments alone. Results are cached: store methods use a fixed set
// of query strings.
type rebinder struct{ cache sync.Map }

func (r *rebinder) rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := r.cache.Load(query); ok {
		return q.(string)
	}
	q := rebindQuery(query)
	r.cache.Store(query, q)
	return q
}

func rebindQuery(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(query))
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
