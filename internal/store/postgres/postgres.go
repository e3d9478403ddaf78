// Package postgres holds what is particular to Overcast's PostgreSQL store: opening the pool
// through pgx's database/sql driver, translating server errors into the store's sentinels,
// advisory-lock keys, and the LISTEN/NOTIFY notifier that wakes other nodes.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/overcast/overcast/internal/store/internal/storeerr"
)

// PostgreSQL error codes that the store acts on.
const (
	codeUniqueViolation      = "23505"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// Pool sizes. Each Overcast node keeps this many connections at most, plus one for LISTEN.
const (
	MaxOpenConns = 20
	MaxIdleConns = 10
)

// Open opens a connection pool for url, a postgres:// URL. Query parameters that pgx does not
// know (search_path, application_name, ...) are sent to the server as session settings, so
// a URL with search_path=myschema keeps all of Overcast's tables in that schema. It returns
// the pool, the parsed configuration (for the notifier's own connection) and the schema
// that unqualified table names resolve to.
func Open(ctx context.Context, url string) (*sql.DB, *pgx.ConnConfig, string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, nil, "", fmt.Errorf("parse postgres url: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxOpenConns)
	db.SetMaxIdleConns(MaxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		db.Close()
		return nil, nil, "", fmt.Errorf("connect to postgres: %w", err)
	}
	if !schema.Valid {
		db.Close()
		return nil, nil, "", errors.New("connect to postgres: no schema in search_path exists")
	}
	return db, cfg, schema.String, nil
}

// InterpretError translates a PostgreSQL error into the store's sentinels: a unique violation
// becomes ErrConflict and sql.ErrNoRows becomes ErrNotFound. Other errors are returned
// unchanged; nil stays nil.
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
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUniqueViolation {
		return storeerr.Wrap(storeerr.ErrConflict, err)
	}
	return err
}

// IsRetryable reports whether err is a serialization failure or a deadlock, after which the
// whole transaction may simply be run again.
func IsRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected)
}

// LockKey returns the advisory-lock key for name within schema, so that deployments sharing
// one database in different schemas do not block each other.
func LockKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(schema))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

// TryLock takes the session advisory lock for name on a connection of its own and keeps it
// until release is called (or that connection dies, which frees the lock on the server).
// The release function may be called more than once.
func TryLock(ctx context.Context, db *sql.DB, schema, name string) (release func(), ok bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	key := LockKey(schema, name)
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	return func() { once.Do(func() { unlock(conn, key) }) }, true, nil
}

// unlock frees a session advisory lock and returns its connection to the pool.
func unlock(conn *sql.Conn, key int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
		// Dropping the session is the other way to free a session lock.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}
