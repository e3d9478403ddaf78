// Package sqlite holds what is particular to Overcast's embedded SQLite store: opening the
// database file with its pragmas, translating driver errors into the store's sentinels, and
// the single-process notifier and lock table. Package store builds the group-commit writer
// and the read pool on top of it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/overcast/overcast/internal/store/internal/storeerr"
)

// DriverName is the database/sql driver name registered by modernc.org/sqlite.
const DriverName = "sqlite"

// Synchronous values for Config.Synchronous.
const (
	// SyncFull fsyncs the WAL on every commit: an acknowledged write survives power loss.
	SyncFull = "FULL"
	// SyncNormal writes the WAL on every commit without fsyncing it (fsync happens at
	// checkpoints): an acknowledged write survives the process being killed, not an
	// operating-system crash or power loss.
	SyncNormal = "NORMAL"
	// SyncOff never fsyncs; only for ephemeral databases that are thrown away anyway.
	SyncOff = "OFF"
)

// BusyTimeout is how long a connection waits for a lock held by another connection before
// failing with SQLITE_BUSY. Inside one Overcast process there is a single writer, so waits
// only happen around checkpoints and when another process opened the same file.
const BusyTimeout = 10 * time.Second

// Config says how to open one pool of connections to a database file.
type Config struct {
	// Path is the database file. It is created when missing.
	Path string
	// Synchronous is SyncFull, SyncNormal or SyncOff. Empty means SyncFull.
	Synchronous string
	// QueryOnly opens connections that refuse every change (PRAGMA query_only), for the
	// read pool.
	QueryOnly bool
	// MaxConns caps the pool. Zero means 1.
	MaxConns int
}

// Open opens a pool of connections to cfg.Path with journal_mode=WAL, busy_timeout,
// foreign_keys=ON and the requested synchronous level. Writing connections begin their
// transactions with BEGIN IMMEDIATE so that they never have to upgrade a read lock.
func Open(ctx context.Context, cfg Config) (*sql.DB, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	sync := cfg.Synchronous
	if sync == "" {
		sync = SyncFull
	}
	if sync != SyncFull && sync != SyncNormal && sync != SyncOff {
		return nil, fmt.Errorf("sqlite: unknown synchronous level %q", sync)
	}
	params := []string{
		"_pragma=busy_timeout(" + strconv.FormatInt(BusyTimeout.Milliseconds(), 10) + ")",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(" + sync + ")",
	}
	if cfg.QueryOnly {
		// journal_mode is persistent in the file: the writer set it, and a query-only
		// connection may not change it.
		params = append(params, "_pragma=query_only(1)")
	} else {
		params = append(params, "_pragma=journal_mode(WAL)", "_txlock=immediate")
	}
	db, err := sql.Open(DriverName, "file:"+escapePath(cfg.Path)+"?"+strings.Join(params, "&"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", cfg.Path, err)
	}
	n := max(cfg.MaxConns, 1)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", cfg.Path, err)
	}
	return db, nil
}

// escapePath makes path safe inside a SQLite URI filename, where '?' starts the query and
// '%' starts an escape.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// InterpretError translates a SQLite driver error into the store's sentinels: a unique or
// primary key violation becomes ErrConflict and sql.ErrNoRows becomes ErrNotFound. Other
// errors are returned unchanged; nil stays nil.
func InterpretError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, storeerr.ErrNotFound) || errors.Is(err, storeerr.ErrConflict) ||
		errors.Is(err, storeerr.ErrPreconditionFailed) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return storeerr.Wrap(storeerr.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return storeerr.Wrap(storeerr.ErrConflict, err)
		}
	}
	return err
}
