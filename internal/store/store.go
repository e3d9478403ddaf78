package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/overcast/overcast/internal/store/postgres"
	"github.com/overcast/overcast/internal/store/sqlite"
)

// Dialect names the SQL database behind a DB.
type Dialect int

// The supported dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// DefaultMaxBatch is the default for Options.MaxBatch.
const DefaultMaxBatch = 128

// FileName is the SQLite database file inside Options.DataDir.
const FileName = "overcast.db"

// readConns is the size of the SQLite read pool.
const readConns = 8

// Options configures Open.
type Options struct {
	// URL selects the database. "" or "sqlite" is SQLite in DataDir/overcast.db;
	// "sqlite:PATH" is SQLite in the file PATH; "postgres://..." or "postgresql://..." is
	// PostgreSQL, where a search_path query parameter picks the schema.
	URL string
	// DataDir holds the SQLite database. It is created when missing. Required for SQLite
	// unless Ephemeral or a sqlite:PATH URL is given.
	DataDir string
	// Ephemeral keeps the SQLite database in a fresh directory under /dev/shm (os.TempDir
	// where /dev/shm does not exist) with synchronous=OFF, and removes it on Close. Nothing
	// survives a restart; DataDir is ignored. Not allowed with a PostgreSQL URL.
	Ephemeral bool
	// Logger receives the store's warnings. Nil discards them.
	Logger *slog.Logger
	// MaxBatch caps how many Write calls one SQLite group commit takes. Zero means
	// DefaultMaxBatch; 1 turns grouping off.
	MaxBatch int
	// Sync is how far an acknowledged SQLite write is made durable: SyncFull (default,
	// "full": fsynced before the answer, survives power loss) or SyncProcess ("process":
	// written to the operating system before the answer, survives the process being
	// killed but not a machine crash; no fsync on the request path). Ignored for
	// ephemeral and PostgreSQL stores.
	Sync string
}

// Sync values for Options.Sync.
const (
	SyncFull    = "full"
	SyncProcess = "process"
)

// DB is Overcast's SQL store: SQLite or PostgreSQL behind one API. It is safe for
// concurrent use.
type DB struct {
	dialect Dialect
	log     *slog.Logger
	binds   rebinder

	// SQLite
	writerDB              *sql.DB
	readerDB              *sql.DB
	writeStmts, readStmts *stmtCache
	writer                *writer
	locks                 sqlite.Locks
	sqlNotify             *sqlite.Notifier
	ephemeral             string // directory removed on Close
	// lazySync is set when commits fsync (synchronous=FULL): the writer then commits a
	// batch made only of WriteLazy functions with synchronous=NORMAL.
	lazySync bool

	// PostgreSQL
	pool     *sql.DB
	schema   string
	pgNotify *postgres.Notifier

	notifier Notifier
	idle     *idleTrim // SQLite: frees page caches when idle

	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
}

// Notifier carries wake-ups between the parts of Overcast that wait for each other (long
// polls, schedulers) and, on PostgreSQL, between nodes. Notifications are hints to look at
// the database again, not data: a listener that is behind may miss some.
type Notifier interface {
	// Notify sends payload to every listener on channel. On PostgreSQL the payload is
	// limited to 8000 bytes.
	Notify(ctx context.Context, channel, payload string) error
	// Listen subscribes to channel: a notification sent after Listen returns reaches the
	// listener (on PostgreSQL, unless the listening connection is down, after which every
	// listener gets an empty payload once it is back). The returned function unsubscribes
	// and closes the channel; it may be called more than once. Closing the DB closes every
	// channel.
	Listen(channel string) (<-chan string, func())
}

var (
	_ Notifier = (*sqlite.Notifier)(nil)
	_ Notifier = (*postgres.Notifier)(nil)
)

// Open opens the database that opts selects, applies the migrations of every service and,
// on SQLite, starts the group-commit writer. Close releases it.
func Open(ctx context.Context, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: log}
	var err error
	switch u := opts.URL; {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if opts.Ephemeral {
			return nil, errors.New("open store: ephemeral mode needs SQLite, not a postgres URL")
		}
		err = db.openPostgres(ctx, u)
	case u == "", u == "sqlite":
		err = db.openSQLite(ctx, "", opts)
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			return nil, fmt.Errorf("open store: no file in %q", u)
		}
		err = db.openSQLite(ctx, path, opts)
	default:
		return nil, fmt.Errorf("open store: unsupported URL %q (want sqlite or postgres://)", u)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == SQLite {
		db.writer = startWriter(db, opts.MaxBatch)
		db.idle = &idleTrim{db: db}
		db.idle.touch()
	}
	return db, nil
}

func (db *DB) openSQLite(ctx context.Context, path string, opts Options) error {
	db.dialect = SQLite
	sync := sqlite.SyncFull
	switch opts.Sync {
	case "", SyncFull:
	case SyncProcess:
		sync = sqlite.SyncNormal
	default:
		return fmt.Errorf("open store: sync %q is neither %s nor %s", opts.Sync, SyncFull, SyncProcess)
	}
	switch {
	case opts.Ephemeral:
		base := os.TempDir()
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			base = "/dev/shm"
		}
		dir, err := os.MkdirTemp(base, "overcast-")
		if err != nil {
			return fmt.Errorf("open store: ephemeral directory: %w", err)
		}
		db.ephemeral = dir
		path = filepath.Join(dir, FileName)
		sync = sqlite.SyncOff
	case path == "":
		if opts.DataDir == "" {
			return errors.New("open store: no data directory for SQLite")
		}
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return fmt.Errorf("open store: %w", err)
		}
		path = filepath.Join(opts.DataDir, FileName)
	}
	var err error
	db.lazySync = sync == sqlite.SyncFull
	db.writerDB, err = sqlite.Open(ctx, sqlite.Config{Path: path, Synchronous: sync, MaxConns: 1})
	if err != nil {
		db.removeEphemeral()
		return fmt.Errorf("open store: %w", err)
	}
	db.readerDB, err = sqlite.Open(ctx, sqlite.Config{Path: path, Synchronous: sync, QueryOnly: true, MaxConns: readConns})
	if err != nil {
		db.writerDB.Close()
		db.removeEphemeral()
		return fmt.Errorf("open store: %w", err)
	}
	db.writeStmts, db.readStmts = newStmtCache(db.writerDB), newStmtCache(db.readerDB)
	db.sqlNotify = &sqlite.Notifier{}
	db.notifier = db.sqlNotify
	return nil
}

func (db *DB) openPostgres(ctx context.Context, url string) error {
	db.dialect = Postgres
	pool, cfg, schema, err := postgres.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	db.pool, db.schema = pool, schema
	db.pgNotify = postgres.NewNotifier(pool, cfg, schema, db.log)
	db.notifier = db.pgNotify
	return nil
}

func (db *DB) removeEphemeral() {
	if db.ephemeral != "" {
		os.RemoveAll(db.ephemeral)
	}
}

// Close waits for queued writes, closes every connection and listener and, for an
// ephemeral database, removes its files. It may be called more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.closed.Store(true)
		var errs []error
		if db.writer != nil {
			db.writer.close()
		}
		if db.sqlNotify != nil {
			db.sqlNotify.Close()
		}
		for _, c := range []*stmtCache{db.writeStmts, db.readStmts} {
			if c != nil {
				c.close()
			}
		}
		if db.pgNotify != nil {
			db.pgNotify.Close()
		}
		for _, d := range []*sql.DB{db.readerDB, db.writerDB, db.pool} {
			if d != nil {
				errs = append(errs, d.Close())
			}
		}
		db.removeEphemeral()
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() Dialect { return db.dialect }

// Notifier returns the DB's notifier: in-process on SQLite, LISTEN/NOTIFY on PostgreSQL.
func (db *DB) Notifier() Notifier { return db.notifier }

// interpretError translates driver errors into the sentinels, per dialect.
func (db *DB) interpretError(err error) error {
	if db.dialect == Postgres {
		return postgres.InterpretError(err)
	}
	return sqlite.InterpretError(err)
}

// rebind turns ? placeholders into the dialect's.
func (db *DB) rebind(query string) string {
	if db.dialect == Postgres {
		return db.binds.rebind(query)
	}
	return query
}

// Write runs fn in a read-write transaction and returns once its work is durable (or has
// failed). fn's returned error is translated (sql.ErrNoRows becomes ErrNotFound) and
// returned; a non-nil error means none of fn's work was committed. A panic in fn is
// re-raised in the caller.
//
// On SQLite, Write calls from all goroutines are grouped: one writer runs up to MaxBatch
// waiting functions in one transaction, each inside its own SAVEPOINT, so a failing fn
// undoes only its own work, and commits once for all of them. Statements run to completion
// once started, even if ctx is cancelled (SQLite would otherwise roll back the whole group);
// a fn still queued when ctx ends is skipped.
//
// On PostgreSQL each Write is its own transaction, retried a few times after a
// serialization failure or deadlock: fn may then run more than once, so it must not have
// effects outside tx.
//
// fn must not call Write itself: on SQLite it runs on the writer goroutine, which would wait
// for itself. After Close, Write returns ErrClosed.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.idle != nil {
		db.idle.touch()
	}
	if db.dialect == Postgres {
		return db.writePostgres(ctx, fn)
	}
	return db.writer.submit(ctx, fn, false)
}

// WriteLazy is Write for bookkeeping whose loss in a machine crash is harmless (delivery
// claims and outcomes: a lost one only makes a job be delivered again): it returns once
// the write is committed, without waiting for it to reach the disk. On SQLite with
// synchronous=FULL a group made only of lazy writes commits without an fsync; the next
// durable commit flushes it, and since the WAL keeps commits in order, a crash can lose a
// tail of lazy writes but never one that a durable write after it depends on. A lazy write
// that shares a group with a durable one is flushed with it. On PostgreSQL the transaction
// commits with synchronous_commit off, with the same ordering guarantee.
func (db *DB) WriteLazy(ctx context.Context, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.idle != nil {
		db.idle.touch()
	}
	if db.dialect == Postgres {
		return db.writePostgres(ctx, func(tx *Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	return db.writer.submit(ctx, fn, true)
}

// Read runs fn in a read-only transaction that sees one consistent snapshot. On SQLite it
// runs on a pool of read-only connections, concurrently with the writer. fn's error is
// translated as for Write.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	if db.closed.Load() {
		return ErrClosed
	}
	if db.idle != nil {
		db.idle.touch()
	}
	var (
		tx  *sql.Tx
		err error
	)
	if db.dialect == Postgres {
		tx, err = db.pool.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	} else {
		tx, err = db.readerDB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		return db.interpretError(err)
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, db: db, readOnly: true, stmts: db.readStmts}
	err = callFn(t, fn)
	t.finish()
	if err != nil {
		return repanic(db.interpretError(err))
	}
	return db.interpretError(tx.Commit())
}

// panicError carries a panic out of fn to the caller, which re-raises it.
type panicError struct{ value any }

func (p *panicError) Error() string { return fmt.Sprintf("store: panic in transaction: %v", p.value) }

// callFn runs fn, turning a panic into a *panicError.
func callFn(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v}
		}
	}()
	return fn(tx)
}

// repanic re-raises a panic captured by callFn in the calling goroutine.
func repanic(err error) error {
	var p *panicError
	if errors.As(err, &p) {
		panic(p.value)
	}
	return err
}

// Postgres write retries.
const (
	pgWriteAttempts = 5
	pgRetryBase     = 5 * time.Millisecond
)

func (db *DB) writePostgres(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.writePostgresOnce(ctx, fn)
		if err == nil || attempt == pgWriteAttempts || !postgres.IsRetryable(err) {
			return repanic(db.interpretError(err))
		}
		t := time.NewTimer(pgRetryBase << attempt)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

func (db *DB) writePostgresOnce(ctx context.Context, fn func(*Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t := &Tx{tx: tx, db: db}
	err = callFn(t, fn)
	t.finish()
	if err != nil {
		return err
	}
	for _, n := range t.notifications {
		// pg_notify inside the transaction: the server delivers it at commit, or never.
		if _, err := tx.ExecContext(ctx, db.rebind(postgres.NotifyQuery), db.pgNotify.Channel(n.channel), n.payload); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// TryLock takes the named lease if no one holds it: a PostgreSQL session advisory lock
// (shared by every node on the database), or an in-process lock on SQLite. ok is false when
// someone else holds it. release frees it and may be called more than once. On PostgreSQL
// the lock is held on a pooled connection of its own and is lost if that connection dies.
func (db *DB) TryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	if db.closed.Load() {
		return nil, false, ErrClosed
	}
	if db.dialect == Postgres {
		return postgres.TryLock(ctx, db.pool, db.schema, name)
	}
	release, ok = db.locks.TryLock(name)
	return release, ok, nil
}
