package store

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store/postgres"
)

// migrationFiles holds every service's migrations: migrations/<service>/NNNN_name.sql, with
// optional per-dialect variants NNNN_name.sqlite.sql and NNNN_name.postgres.sql that replace
// the plain file on their dialect.
//
//go:embed migrations
var migrationFiles embed.FS

// migration is one schema change of one service, resolved for a dialect.
type migration struct {
	service string
	version int64
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+?)(?:\.(sqlite|postgres))?\.sql$`)
var serviceName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// loadMigrations reads the migrations for dialect from fsys (laid out like migrations/),
// sorted by service and version. Every version must have a plain file or a variant for
// dialect, and all files of one version must share its name.
func loadMigrations(fsys fs.FS, dialect Dialect) ([]migration, error) {
	services, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, svc := range services {
		if !svc.IsDir() {
			continue
		}
		if !serviceName.MatchString(svc.Name()) {
			return nil, fmt.Errorf("migrations: service directory %q is not lowercase letters and digits", svc.Name())
		}
		files, err := fs.ReadDir(fsys, svc.Name())
		if err != nil {
			return nil, fmt.Errorf("read migrations of %s: %w", svc.Name(), err)
		}
		type version struct {
			name     string
			plain    string
			variants map[string]string
		}
		versions := map[int64]*version{}
		for _, f := range files {
			m := migrationName.FindStringSubmatch(f.Name())
			if f.IsDir() || m == nil {
				return nil, fmt.Errorf("migrations: %s/%s is not NNNN_name[.sqlite|.postgres].sql", svc.Name(), f.Name())
			}
			n, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("migrations: %s/%s: version must be a positive number", svc.Name(), f.Name())
			}
			v := versions[n]
			if v == nil {
				v = &version{name: m[2], variants: map[string]string{}}
				versions[n] = v
			}
			if v.name != m[2] {
				return nil, fmt.Errorf("migrations: %s version %d has two names, %q and %q", svc.Name(), n, v.name, m[2])
			}
			body, err := fs.ReadFile(fsys, path.Join(svc.Name(), f.Name()))
			if err != nil {
				return nil, fmt.Errorf("read migration %s/%s: %w", svc.Name(), f.Name(), err)
			}
			if m[3] == "" {
				v.plain = string(body)
			} else {
				v.variants[m[3]] = string(body)
			}
		}
		for n, v := range versions {
			body, ok := v.variants[dialect.String()]
			if !ok {
				body, ok = v.plain, v.plain != ""
			}
			if !ok {
				return nil, fmt.Errorf("migrations: %s version %d has no file for %s", svc.Name(), n, dialect)
			}
			out = append(out, migration{service: svc.Name(), version: n, name: v.name, sql: body})
		}
	}
	slices.SortFunc(out, func(a, b migration) int {
		return cmp.Or(strings.Compare(a.service, b.service), cmp.Compare(a.version, b.version))
	})
	return out, nil
}

// Migrate applies every embedded migration not yet recorded in store_migrations, in order
// per service, in one transaction. Open calls it; calling it again is harmless. On
// PostgreSQL an advisory lock makes nodes that start together apply each migration once.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return db.migrate(ctx, sub)
}

func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	migrations, err := loadMigrations(fsys, db.dialect)
	if err != nil {
		return err
	}
	conn := db.writerDB
	if db.dialect == Postgres {
		conn = db.pool
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", postgres.LockKey(db.schema, "store.migrate")); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS store_migrations (
	service    TEXT   NOT NULL,
	version    BIGINT NOT NULL,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL,
	PRIMARY KEY (service, version)
)`); err != nil {
		return fmt.Errorf("migrate: create store_migrations: %w", err)
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	n := 0
	for _, m := range migrations {
		key := m.service + "/" + strconv.FormatInt(m.version, 10)
		known[key] = true
		if applied[key] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate %s %04d_%s: %w", m.service, m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, db.rebind("INSERT INTO store_migrations (service, version, name, applied_at) VALUES (?, ?, ?, ?)"),
			m.service, m.version, m.name, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migrate %s %04d_%s: record: %w", m.service, m.version, m.name, err)
		}
		n++
	}
	for key := range applied {
		if !known[key] {
			db.log.Warn("database has a migration this binary does not know; is a newer Overcast using it?", "migration", key)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	if n > 0 {
		db.log.Info("applied store migrations", "count", n, "dialect", db.dialect.String())
	}
	return nil
}

func appliedMigrations(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT service, version FROM store_migrations")
	if err != nil {
		return nil, fmt.Errorf("migrate: read store_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var (
			svc string
			v   int64
		)
		if err := rows.Scan(&svc, &v); err != nil {
			return nil, fmt.Errorf("migrate: read store_migrations: %w", err)
		}
		applied[svc+"/"+strconv.FormatInt(v, 10)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read store_migrations: %w", err)
	}
	return applied, nil
}
