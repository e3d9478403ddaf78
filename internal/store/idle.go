package store

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// idleRelease is how long after the last Read or Write the SQLite connections' page
// caches are freed.
const idleRelease = 250 * time.Millisecond

// idleTrim frees SQLite's page caches once the store has not been used for idleRelease:
// each connection keeps up to its cache_size of pages, which after a burst of traffic is
// most of the process's memory outside the Go heap. While the store is in use it costs one
// atomic add per call and one timer per idleRelease.
type idleTrim struct {
	db    *DB
	uses  atomic.Uint64
	armed atomic.Bool
}

// touch records a use of the store.
func (t *idleTrim) touch() {
	n := t.uses.Add(1)
	if !t.armed.Load() && t.armed.CompareAndSwap(false, true) {
		t.arm(n)
	}
}

func (t *idleTrim) arm(seen uint64) {
	time.AfterFunc(idleRelease, func() { t.check(seen) })
}

func (t *idleTrim) check(seen uint64) {
	if n := t.uses.Load(); n != seen {
		t.arm(n)
		return
	}
	t.armed.Store(false)
	if n := t.uses.Load(); n != seen {
		// A use arrived as the timer was being disarmed and saw it armed.
		if t.armed.CompareAndSwap(false, true) {
			t.arm(n)
		}
		return
	}
	t.db.ReleaseMemory(context.Background())
}

// ReleaseMemory frees what idle SQLite connections hold: the readers beyond the first
// are closed (each keeps its own page cache and C stack; they are opened again when reads
// need them) and the remaining reader and the writer free their page caches (PRAGMA
// shrink_memory), which fill again from the file as queries need them. It does nothing on
// PostgreSQL. The store calls it by itself once idle.
func (db *DB) ReleaseMemory(ctx context.Context) {
	if db.dialect != SQLite || db.closed.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	db.readerDB.SetMaxIdleConns(1)
	db.readerDB.SetMaxIdleConns(readConns)
	for _, d := range []*sql.DB{db.writerDB, db.readerDB} {
		// Only an idle connection: asking for a busy pool's would open a new one.
		if d.Stats().Idle == 0 {
			continue
		}
		c, err := d.Conn(ctx)
		if err != nil {
			continue
		}
		_, _ = c.ExecContext(ctx, "PRAGMA shrink_memory")
		c.Close()
	}
}
