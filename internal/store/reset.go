package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrationsTable is the store's own bookkeeping, never reset.
const migrationsTable = "store_migrations"

// Reset deletes every row of service's tables (those named <service>_...) or, when service
// is "", of every service's tables. The schema and the applied migrations stay. It runs in
// a transaction of its own, between group commits.
func (db *DB) Reset(ctx context.Context, service string) error {
	if db.closed.Load() {
		return ErrClosed
	}
	conn := db.writerDB
	if db.dialect == Postgres {
		conn = db.pool
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("reset %s: %w", service, err)
	}
	defer tx.Rollback()
	tables, err := db.tables(ctx, tx, service)
	if err != nil {
		return fmt.Errorf("reset %s: %w", service, err)
	}
	if len(tables) == 0 {
		return nil
	}
	if db.dialect == Postgres {
		quoted := make([]string, len(tables))
		for i, t := range tables {
			quoted[i] = quoteIdent(t)
		}
		// TRUNCATE of all the tables at once is allowed even when they reference each other.
		if _, err := tx.ExecContext(ctx, "TRUNCATE "+strings.Join(quoted, ", ")+" RESTART IDENTITY"); err != nil {
			return fmt.Errorf("reset %s: %w", service, err)
		}
	} else {
		// Rows referencing each other across the service's tables may be deleted in any order.
		if _, err := tx.ExecContext(ctx, "PRAGMA defer_foreign_keys = ON"); err != nil {
			return fmt.Errorf("reset %s: %w", service, err)
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(t)); err != nil {
				return fmt.Errorf("reset %s: %w", service, err)
			}
		}
		var seq int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").Scan(&seq); err != nil {
			return fmt.Errorf("reset %s: %w", service, err)
		}
		if seq > 0 {
			for _, t := range tables {
				if _, err := tx.ExecContext(ctx, "DELETE FROM sqlite_sequence WHERE name = ?", t); err != nil {
					return fmt.Errorf("reset %s: %w", service, err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reset %s: %w", service, err)
	}
	return nil
}

// tables lists the tables that belong to service ("" for all services).
func (db *DB) tables(ctx context.Context, tx *sql.Tx, service string) ([]string, error) {
	query := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
	if db.dialect == Postgres {
		query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	}
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if name == migrationsTable || !strings.Contains(name, "_") {
			continue
		}
		if service == "" || strings.HasPrefix(name, service+"_") {
			out = append(out, name)
		}
	}
	return out, rows.Err()
}

// quoteIdent quotes a table name for both dialects.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
