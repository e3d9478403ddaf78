// Package store is Overcast's SQL store, the source of truth for every service. One API
// runs on two dialects: SQLite (embedded default, modernc.org/sqlite, WAL) and PostgreSQL
// (pgx through database/sql, for several nodes on one database). Service store methods are
// written once in this package with portable SQL and ? placeholders, which are rewritten to
// $1, $2, ... on PostgreSQL; the few dialect differences (SKIP LOCKED, upserts) are switches
// on Tx.Dialect. The subpackages sqlite and postgres hold what differs below that: opening,
// pragmas, error translation, notifier, locks. storetest is the conformance suite both run.
//
// # Writes
//
// DB.Write runs a function in a read-write transaction. On SQLite one writer goroutine
// groups the waiting calls (up to Options.MaxBatch) into one transaction, gives each its own
// SAVEPOINT so a failing function undoes only its own work, and commits once with
// synchronous=FULL, so an acknowledged write survives kill -9 and power loss while the cost
// of the fsync is shared. Readers use a separate pool of read-only connections and run
// concurrently with the writer. On PostgreSQL each Write is its own transaction on the
// pool, retried after serialization failures and deadlocks.
//
// # Errors
//
// Store methods return ErrNotFound, ErrConflict and ErrPreconditionFailed, which are the only
// errors services branch on. Each dialect translates its driver's errors in one
// InterpretError (unique violation → ErrConflict, no rows → ErrNotFound).
//
// # Schema
//
// Every table belongs to one service and is named <service>_<name>. Migrations are embedded
// from migrations/<service>/NNNN_name.sql; a NNNN_name.sqlite.sql or NNNN_name.postgres.sql
// variant replaces the plain file on its dialect. Open applies the missing ones in order and
// records them in store_migrations; on PostgreSQL an advisory lock lets several nodes start
// at once. Portable types: BIGINT for times (unix milliseconds, UTC), TEXT, and BLOB/BYTEA
// through variants.
//
// # Ephemeral mode
//
// Options.Ephemeral puts the SQLite database in a fresh directory under /dev/shm (memory;
// os.TempDir where /dev/shm does not exist) with synchronous=OFF, and removes it on Close.
// It is the same store with the same SQL, only nothing is kept.
//
// # Coordination
//
// Notifier carries wake-ups (long polls, schedulers): LISTEN/NOTIFY on PostgreSQL, in-process
// on SQLite; Tx.NotifyAfterCommit sends one only if the write commits. DB.TryLock is a named
// lease: an advisory lock on PostgreSQL, an in-process lock on SQLite.
//
// On SQLite, 250 ms after the last Read or Write the store closes idle reader connections
// beyond one and frees page caches (PRAGMA shrink_memory); see DB.ReleaseMemory.
package store
