package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds a statement cache: store methods use a fixed set of query texts
// (plus a few shapes of multi-row statements), so a cache this size holds them all, and
// a caller building unbounded texts cannot grow it without end.
const maxCachedStmts = 2048

// stmtCache keeps SQLite statements prepared across transactions. Parsing and planning
// a statement costs more than running most of ours, and database/sql would otherwise
// prepare every statement again on each call. (pgx keeps its own statement cache, so
// PostgreSQL does not use this.)
//
// A statement is prepared on the pool in the background the first time it is seen: a
// caller inside a transaction holds a connection, and preparing on the pool from there
// could wait for a connection forever (the SQLite writer has only one). Until the
// statement is ready, callers run the text unprepared.
type stmtCache struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt, or stmtPending / stmtFailed
	n     atomic.Int64
	wg    sync.WaitGroup
	done  atomic.Bool
}

type stmtMarker int

const (
	stmtPending stmtMarker = iota
	stmtFailed
)

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db} }

// get returns the prepared statement for query, or nil when it is not ready (or cannot
// be prepared, or the cache is full): the caller then runs the text itself.
func (c *stmtCache) get(query string) *sql.Stmt {
	if v, ok := c.stmts.Load(query); ok {
		st, _ := v.(*sql.Stmt)
		return st
	}
	if c.done.Load() || c.n.Add(1) > maxCachedStmts {
		return nil
	}
	if _, loaded := c.stmts.LoadOrStore(query, stmtPending); loaded {
		return nil
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := c.db.PrepareContext(context.Background(), query)
		if err != nil {
			// A text that does not prepare fails when the caller runs it, with the
			// caller's error handling; it is not tried again.
			c.stmts.Store(query, stmtFailed)
			return
		}
		c.stmts.Store(query, st)
	}()
	return nil
}

// close waits for background preparations and closes every cached statement.
func (c *stmtCache) close() {
	c.done.Store(true)
	c.wg.Wait()
	c.stmts.Range(func(k, v any) bool {
		if st, ok := v.(*sql.Stmt); ok {
			st.Close()
		}
		c.stmts.Delete(k)
		return true
	})
}
